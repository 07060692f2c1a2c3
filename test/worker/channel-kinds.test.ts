import { afterEach, describe, expect, it } from "vitest";
import { call, expectError, json, newTenant, sql } from "./support/harness";
import { addChannel, deliveries, recordOutbound } from "./support/notify-harness";
import { auditOf } from "./support/sec-harness";

let restore = () => {};
afterEach(() => restore());

const RESEND_KEY = "re_live_0123456789abcdefSECRET";
const BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const GENIE_KEY = "eb243592-faa2-4ba2-a551q-1afdf565c889";
const TEAMS_URL =
  "https://prod-11.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=TEAMSSIGSECRET";
const DISCORD_URL = "https://discord.com/api/webhooks/1234567890/DISCORDTOKENSECRET";
const kinds = {
  email: {
    kind: "email",
    apiKey: RESEND_KEY,
    from: "selfheal <alerts@example.com>",
    to: ["ops@example.com"],
  },
  teams: { kind: "teams", url: TEAMS_URL },
  discord: { kind: "discord", url: DISCORD_URL },
  telegram: { kind: "telegram", botToken: BOT_TOKEN, chatId: "-1001234567890" },
  opsgenie: { kind: "opsgenie", apiKey: GENIE_KEY },
};

describe("channels for email, Teams, Discord, Telegram and Opsgenie", () => {
  it("stores each kind's secret but never returns it", async () => {
    const t = await newTenant();
    for (const body of Object.values(kinds)) await addChannel(t, body);
    const listed = JSON.stringify(await json("/api/v1/channels", { token: t.admin }));
    for (const secret of [RESEND_KEY, BOT_TOKEN, GENIE_KEY, "TEAMSSIGSECRET", "DISCORDTOKENSECRET"])
      expect(listed).not.toContain(secret.slice(4, -4));
    const rows = await sql("SELECT kind, secret FROM channels WHERE org_id = ? ORDER BY kind", t.orgId);
    expect(rows.filter((r) => r.secret).map((r) => [r.kind, r.secret])).toEqual([
      ["email", RESEND_KEY],
      ["opsgenie", GENIE_KEY],
      ["telegram", BOT_TOKEN],
    ]);
    const email = JSON.parse(listed).items.find((c: { kind: string }) => c.kind === "email");
    expect(email).toMatchObject({
      from: "selfheal <alerts@example.com>",
      to: ["ops@example.com"],
      secret: "…CRET",
    });
  });

  it("refuses a bad setting of each kind with a 400 naming the field", async () => {
    const t = await newTenant();
    const cases: [Record<string, unknown>, string][] = [
      [{ ...kinds.email, to: ["not-an-address"] }, "to.0"],
      [{ ...kinds.email, to: [] }, "to"],
      [{ ...kinds.email, from: "<script>" }, "from"],
      [{ ...kinds.email, apiKey: undefined }, "apiKey"],
      [{ ...kinds.teams, url: "ftp://example.com/x" }, "url"],
      [{ ...kinds.discord, url: undefined }, "url"],
      [{ ...kinds.telegram, botToken: "no-colon" }, "botToken"],
      [{ ...kinds.telegram, chatId: "general chat" }, "chatId"],
      [{ ...kinds.opsgenie, repeatMinutes: 30 }, "repeatMinutes"],
      [{ kind: "pagerduty", routingKey: "k".repeat(32), repeatMinutes: 30 }, "repeatMinutes"],
      [{ ...kinds.teams, repeatMinutes: 1 }, "repeatMinutes"],
      [{ kind: "webhook", url: "https://example.com/h", secret: "whsec_not*base64*at*all!!" }, "secret"],
    ];
    for (const [body, field] of cases) {
      const res = await call("/api/v1/channels", { token: t.admin, body: { name: "x", ...body } });
      const error = await expectError(res, 400, "BAD_REQUEST");
      expect(error.issues?.map((i) => i.path)).toContain(field);
    }
  });

  it("changes a kind's own settings and refuses another kind's, naming the field", async () => {
    const t = await newTenant();
    const tg = await addChannel(t, kinds.telegram);
    const patched = await json<{ chatId: string; repeatMinutes: number | null }>(
      `/api/v1/channels/${tg.id}`,
      {
        method: "PATCH",
        token: t.admin,
        body: { chatId: "@selfheal_ops", repeatMinutes: 60 },
      },
    );
    expect(patched).toMatchObject({ chatId: "@selfheal_ops", repeatMinutes: 60 });
    for (const body of [{ apiKey: "k".repeat(20) }, { routingKey: "x" }, { to: ["a@example.com"] }]) {
      const res = await call(`/api/v1/channels/${tg.id}`, { method: "PATCH", token: t.admin, body });
      const error = await expectError(res, 400, "BAD_REQUEST");
      expect(error.issues?.map((i) => i.path)).toEqual(Object.keys(body));
    }
    const og = await addChannel(t, kinds.opsgenie);
    const res = await call(`/api/v1/channels/${og.id}`, {
      method: "PATCH",
      token: t.admin,
      body: { repeatMinutes: 30 },
    });
    expect((await expectError(res, 400, "BAD_REQUEST")).issues?.[0].path).toBe("repeatMinutes");
    const off = await json<{ repeatMinutes: number | null }>(`/api/v1/channels/${tg.id}`, {
      method: "PATCH",
      token: t.admin,
      body: { repeatMinutes: null },
    });
    expect(off.repeatMinutes).toBeNull();
  });
});

describe("test sends", () => {
  it("let an operator send one, record it in the audit log, and refuse a sixth within a minute", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    const operator = await t.token("operator");
    const ch = await addChannel(t, { ...kinds.discord, url: "http://receiver.test/discord" });
    for (let i = 0; i < 5; i++) {
      const sent = await json<{ status: string }>(`/api/v1/channels/${ch.id}/test`, {
        method: "POST",
        token: operator,
      });
      expect(sent.status).toBe("delivered");
    }
    const res = await call(`/api/v1/channels/${ch.id}/test`, { method: "POST", token: operator });
    await expectError(res, 429, "RATE_LIMITED");
    expect(out.sent).toHaveLength(5);
    expect(out.sent[0].json.embeds[0].title).toBe("test: selfheal");
    expect(await deliveries(t, `?channel=${ch.id}`)).toHaveLength(5);
    const log = (await auditOf(t.admin, `?target=${ch.id}`)).items.map((e: { action: string }) => e.action);
    expect(log.filter((a: string) => a === "channel.test")).toHaveLength(5);
  });

  it("are refused to a read token", async () => {
    const t = await newTenant();
    const ch = await addChannel(t, kinds.teams);
    const res = await call(`/api/v1/channels/${ch.id}/test`, {
      method: "POST",
      token: await t.token("read"),
    });
    await expectError(res, 403, "FORBIDDEN");
  });

  it("reach each new kind in its own format", async () => {
    const out = recordOutbound((req) =>
      req.url.includes("/sendMessage")
        ? Response.json({ ok: true, result: { message_id: 1 } })
        : new Response(null, { status: 202 }),
    );
    restore = out.restore;
    const t = await newTenant();
    const base = "http://receiver.test";
    const chans = [
      { ...kinds.email, url: `${base}/resend` },
      { ...kinds.teams, url: `${base}/teams` },
      { ...kinds.telegram, url: `${base}/tg` },
      { ...kinds.opsgenie, url: `${base}/og` },
    ];
    for (const body of chans) {
      const ch = await addChannel(t, body);
      const sent = await json<{ status: string }>(`/api/v1/channels/${ch.id}/test`, {
        method: "POST",
        token: t.admin,
      });
      expect(sent.status).toBe("delivered");
    }
    expect(out.sent.map((s) => [new URL(s.url).pathname, s.headers.authorization ?? null])).toEqual([
      ["/resend/emails", `Bearer ${RESEND_KEY}`],
      ["/teams", null],
      [`/tg/bot${BOT_TOKEN}/sendMessage`, null],
      ["/og/v2/alerts", `GenieKey ${GENIE_KEY}`],
    ]);
    expect(out.sent[0].json).toMatchObject({ from: kinds.email.from, to: kinds.email.to });
    expect(out.sent[2].json.chat_id).toBe(kinds.telegram.chatId);
  });
});
