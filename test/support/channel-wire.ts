/**
 * The documented request formats of Resend, Teams Workflows, Discord, Telegram and Opsgenie, as
 * checks: each returns what is wrong with one request (empty: it would be accepted). Strict
 * where the service is (limits, required fields, unknown keys) so a typo never passes.
 */
type Headers = Record<string, string | string[] | undefined>;
const isObj = (v: unknown): v is Record<string, any> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown, min: number, max: number) =>
  typeof v === "string" && v.length >= min && v.length <= max;
const httpUrl = (v: unknown) => typeof v === "string" && /^https?:\/\/\S+$/.test(v);
const unknownKeys = (o: Record<string, unknown>, allowed: string[], at: string) =>
  Object.keys(o)
    .filter((k) => !allowed.includes(k))
    .map((k) => `${at}${k}: not in the format`);
const header = (h: Headers, name: string) => String(h[name] ?? "");
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** Resend POST /emails. */
export function resendProblems(path: string, headers: Headers, body: any): string[] {
  const p: string[] = [];
  if (path !== "/emails") p.push(`path ${path}`);
  if (!/^Bearer \S+$/.test(header(headers, "authorization"))) p.push("authorization: Bearer <key> required");
  if (header(headers, "idempotency-key").length > 256) p.push("idempotency-key: over 256 characters");
  if (!isObj(body)) return [...p, "not an object"];
  p.push(
    ...unknownKeys(
      body,
      [
        "from",
        "to",
        "subject",
        "bcc",
        "cc",
        "reply_to",
        "html",
        "text",
        "headers",
        "scheduled_at",
        "attachments",
        "tags",
      ],
      "",
    ),
  );
  const from = String(body.from ?? "");
  const address = from.match(/<([^>]+)>$/)?.[1] ?? from;
  if (!EMAIL.test(address)) p.push(`from: ${from} is not an address or "Name <address>"`);
  const to = Array.isArray(body.to) ? body.to : [body.to];
  if (to.length < 1 || to.length > 50) p.push("to: 1 to 50 recipients");
  for (const t of to) if (typeof t !== "string" || !EMAIL.test(t)) p.push(`to: ${t} is not an address`);
  if (!str(body.subject, 1, 998) || /[\r\n]/.test(body.subject)) p.push("subject: one non-empty line");
  if (body.text === undefined && body.html === undefined) p.push("text or html: required");
  for (const k of ["text", "html"])
    if (body[k] !== undefined && typeof body[k] !== "string") p.push(`${k}: string`);
  return p;
}

const CARD_ELEMENTS = ["TextBlock", "FactSet", "ColumnSet", "Container", "Image", "RichTextBlock"];
const TEXT_COLORS = ["Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"];

/** A Teams Workflows webhook request: a message with one Adaptive Card attachment, under 28 KB. */
export function teamsProblems(body: any): string[] {
  const p: string[] = [];
  if (!isObj(body) || body.type !== "message") return ["type: must be message"];
  if (JSON.stringify(body).length > 28_000) p.push("over 28 KB");
  if (!Array.isArray(body.attachments) || body.attachments.length !== 1)
    return [...p, "attachments: exactly one"];
  const a = body.attachments[0];
  if (a.contentType !== "application/vnd.microsoft.card.adaptive") p.push(`contentType ${a.contentType}`);
  const card = a.content;
  if (!isObj(card) || card.type !== "AdaptiveCard") return [...p, "content: not an AdaptiveCard"];
  if (!/^1\.[0-5]$/.test(String(card.version))) p.push(`version ${card.version}: Teams renders 1.0 to 1.5`);
  if (!Array.isArray(card.body) || card.body.length === 0) p.push("body: required");
  (card.body ?? []).forEach((el: any, i: number) => {
    if (!CARD_ELEMENTS.includes(el.type)) p.push(`body[${i}]: type ${el.type}`);
    if (el.type === "TextBlock" && !str(el.text, 1, 5000)) p.push(`body[${i}]: text`);
    if (el.color !== undefined && !TEXT_COLORS.includes(el.color)) p.push(`body[${i}]: color ${el.color}`);
    if (el.type === "FactSet") {
      if (!Array.isArray(el.facts)) p.push(`body[${i}]: facts`);
      for (const f of el.facts ?? [])
        if (typeof f.title !== "string" || typeof f.value !== "string")
          p.push(`body[${i}]: fact title/value`);
    }
  });
  for (const act of card.actions ?? [])
    if (act.type !== "Action.OpenUrl" || !httpUrl(act.url) || !act.title)
      p.push("actions: Action.OpenUrl with url");
  return p;
}

/** A Discord execute-webhook request, with Discord's limits; mentions must be off (ours). */
export function discordProblems(body: any): string[] {
  const p: string[] = [];
  if (!isObj(body)) return ["not an object"];
  p.push(
    ...unknownKeys(
      body,
      ["content", "username", "avatar_url", "tts", "embeds", "allowed_mentions", "flags"],
      "",
    ),
  );
  if (!body.content && !body.embeds?.length) p.push("content or embeds: required");
  if (body.content !== undefined && !str(body.content, 0, 2000)) p.push("content: over 2000");
  if (body.username !== undefined && !str(body.username, 1, 80)) p.push("username: 1 to 80");
  if (!isObj(body.allowed_mentions) || JSON.stringify(body.allowed_mentions.parse) !== "[]")
    p.push("allowed_mentions.parse: must be [] (no pings from host text)");
  const embeds: any[] = body.embeds ?? [];
  if (embeds.length > 10) p.push(`embeds: ${embeds.length} > 10`);
  let total = 0;
  embeds.forEach((e, i) => {
    const at = `embeds[${i}].`;
    p.push(
      ...unknownKeys(
        e,
        ["title", "description", "url", "color", "timestamp", "fields", "footer", "author"],
        at,
      ),
    );
    if (e.title !== undefined && !str(e.title, 1, 256)) p.push(`${at}title: 1 to 256`);
    if (e.description !== undefined && !str(e.description, 1, 4096)) p.push(`${at}description: 1 to 4096`);
    if (e.url !== undefined && !httpUrl(e.url)) p.push(`${at}url`);
    if (e.color !== undefined && !(Number.isInteger(e.color) && e.color >= 0 && e.color <= 0xffffff))
      p.push(`${at}color`);
    if (e.timestamp !== undefined && Number.isNaN(Date.parse(e.timestamp))) p.push(`${at}timestamp`);
    if ((e.fields ?? []).length > 25) p.push(`${at}fields: over 25`);
    for (const f of e.fields ?? []) {
      if (!str(f.name, 1, 256) || !str(f.value, 1, 1024)) p.push(`${at}field name 1-256, value 1-1024`);
      total += f.name.length + f.value.length;
    }
    total += (e.title ?? "").length + (e.description ?? "").length + (e.footer?.text ?? "").length;
  });
  if (total > 6000) p.push(`embeds: ${total} characters > 6000`);
  return p;
}

const TG_TAGS = [
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "a",
  "code",
  "pre",
  "blockquote",
  "tg-spoiler",
];

/** Telegram Bot API sendMessage in HTML parse mode. */
export function telegramProblems(path: string, body: any): string[] {
  const p: string[] = [];
  if (!/^\/bot\d+:[A-Za-z0-9_-]+\/sendMessage$/.test(path)) p.push(`path ${path}`);
  if (!isObj(body)) return [...p, "not an object"];
  p.push(
    ...unknownKeys(
      body,
      ["chat_id", "text", "parse_mode", "link_preview_options", "disable_notification", "message_thread_id"],
      "",
    ),
  );
  if (!/^(-?\d+|@\w{5,32})$/.test(String(body.chat_id ?? ""))) p.push("chat_id");
  if (body.parse_mode !== "HTML") p.push("parse_mode: HTML expected");
  const text = String(body.text ?? "");
  const stack: string[] = [];
  for (const m of text.matchAll(
    /<(\/?)([a-z-]+)((?:\s+[a-z]+="[^"<>]*")*)\s*>|<|&(?!(?:lt|gt|amp|quot|#\d+);)/g,
  )) {
    if (m[0] === "<" || m[0] === "&") {
      p.push(`text: bare ${m[0]} at ${m.index}`);
      continue;
    }
    const [, close, tag, attrs] = m;
    if (!TG_TAGS.includes(tag)) p.push(`text: tag <${tag}> is not supported`);
    if (tag === "a" && !close && !/^\s+href="[^"]+"$/.test(attrs)) p.push("text: <a> needs href");
    if (close) {
      if (stack.pop() !== tag) p.push(`text: </${tag}> closes nothing open`);
    } else stack.push(tag);
  }
  if (stack.length) p.push(`text: unclosed ${stack.join(", ")}`);
  const visible = text.replace(/<[^>]+>/g, "").replace(/&(lt|gt|amp|quot|#\d+);/g, "x");
  if (visible.length < 1 || visible.length > 4096) p.push(`text: ${visible.length} characters (1 to 4096)`);
  return p;
}

/** Opsgenie Alert API v2: create, close and acknowledge (by alias). */
export function opsgenieProblems(path: string, headers: Headers, body: any): string[] {
  const p: string[] = [];
  if (!/^GenieKey \S+$/.test(header(headers, "authorization")))
    p.push("authorization: GenieKey <key> required");
  if (!isObj(body)) return [...p, "not an object"];
  const verb = path.match(/^\/v2\/alerts\/([^/?]{1,512})\/(close|acknowledge)\?identifierType=alias$/);
  if (verb) {
    p.push(...unknownKeys(body, ["user", "source", "note"], ""));
    if (body.source !== undefined && !str(body.source, 1, 100)) p.push("source: at most 100");
    if (body.note !== undefined && !str(body.note, 1, 25000)) p.push("note: at most 25000");
    return p;
  }
  if (path !== "/v2/alerts") return [...p, `path ${path}`];
  p.push(
    ...unknownKeys(
      body,
      [
        "message",
        "alias",
        "description",
        "responders",
        "visibleTo",
        "actions",
        "tags",
        "details",
        "entity",
        "source",
        "priority",
        "user",
        "note",
      ],
      "",
    ),
  );
  if (!str(body.message, 1, 130)) p.push("message: 1 to 130 characters");
  if (body.alias !== undefined && !str(body.alias, 1, 512)) p.push("alias: at most 512");
  if (body.description !== undefined && !str(body.description, 0, 15000))
    p.push("description: at most 15000");
  if (body.entity !== undefined && !str(body.entity, 0, 512)) p.push("entity: at most 512");
  if (body.source !== undefined && !str(body.source, 0, 100)) p.push("source: at most 100");
  if (body.priority !== undefined && !["P1", "P2", "P3", "P4", "P5"].includes(body.priority))
    p.push("priority");
  const tags: unknown[] = body.tags ?? [];
  if (tags.length > 20 || tags.some((t) => !str(t, 1, 50)))
    p.push("tags: at most 20 of at most 50 characters");
  if (body.details !== undefined) {
    if (!isObj(body.details) || Object.values(body.details).some((v) => typeof v !== "string"))
      p.push("details: a map of strings");
    else if (JSON.stringify(body.details).length > 8000) p.push("details: over 8000 characters");
  }
  return p;
}
