/**
 * Email (Resend), Teams, Discord, Telegram and Opsgenie channels and Standard Webhooks, through
 * wrangler dev to local receivers that check each service's request format.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, applyMigrations, freePort, newSecret, startWorker, waitFor } from "../../scripts/lib/stack.mjs";
import { startReceiver } from "./support/receivers";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const BOT = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
type Worker = Awaited<ReturnType<typeof startWorker>>;
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

describe("email, Teams, Discord, Telegram and Opsgenie to local receivers, through wrangler dev", () => {
  let worker: Worker;
  let receiver: Receiver;
  let base: string;
  let admin: string;
  let persistTo: string;
  const call = (method: string, p: string, body?: unknown) => api(worker.url, admin, method, p, body);
  const cron = () => fetch(`${worker.url}/__scheduled?cron=*+*+*+*+*`).then((r) => r.text());
  const report = (token: string, status: string) =>
    api(worker.url, token, "POST", "/api/v1/agent/report", {
      protocol: 1,
      samples: [{ ts: new Date().toISOString(), metrics: { cpu: 5, memory: 20, disk: 30, load1: 0.1 } }],
      services: [{ name: "nginx", status, kind: "systemd" }],
    });
  const channels = () => [
    {
      kind: "email",
      name: "mail",
      apiKey: "re_0123456789abcdef",
      from: "selfheal <alerts@example.com>",
      to: ["ops@example.com", "dev@example.com"],
      url: `${base}/resend`,
    },
    { kind: "teams", name: "teams", url: `${base}/teams` },
    { kind: "discord", name: "discord", url: `${base}/discord` },
    { kind: "telegram", name: "telegram", botToken: BOT, chatId: "-1001234567890", url: `${base}/tg` },
    { kind: "opsgenie", name: "opsgenie", apiKey: "eb243592-faa2-4ba2-a551-1afdf565c889", url: `${base}/og` },
    { kind: "webhook", name: "hook", url: `${base}/hook`, secret: SECRET },
  ];
  const byPath = (prefix: string) => receiver.received.filter((r) => r.path.startsWith(prefix));

  beforeAll(async () => {
    persistTo = mkdtempSync(path.join(tmpdir(), "selfheal-channels-"));
    admin = newSecret();
    const rport = await freePort();
    base = `http://127.0.0.1:${rport}`;
    receiver = await startReceiver(rport, SECRET);
    await applyMigrations(persistTo);
    worker = await startWorker({ port: await freePort(), persistTo, adminToken: admin });
    await call("POST", "/api/healing/config", { recovery: { auto_recovery: false } });
  });
  afterAll(async () => {
    await receiver?.close();
    await worker?.stop();
    if (persistTo) rmSync(persistTo, { recursive: true, force: true });
  });

  it("sends a test message to every kind in its own format", async () => {
    for (const body of channels()) {
      const ch = await call("POST", "/api/v1/channels", { ...body, name: `test ${body.name}` });
      const sent = await call("POST", `/api/v1/channels/${ch.id}/test`);
      expect({ kind: body.kind, status: sent.status, error: sent.lastError }).toEqual({
        kind: body.kind,
        status: "delivered",
        error: null,
      });
    }
    expect(receiver.received).toHaveLength(6);
    expect(receiver.received.flatMap((r) => r.problems)).toEqual([]);
    for (const c of (await call("GET", "/api/v1/channels")).items)
      await call("PATCH", `/api/v1/channels/${c.id}`, { enabled: false });
  });

  it("announces an issue, its acknowledgement and its resolution on each, Opsgenie by alias", async () => {
    const before = receiver.received.length;
    for (const body of channels())
      await call("POST", "/api/v1/channels", { ...body, minSeverity: "low", groupWaitSeconds: 0 });
    const { token } = await call("POST", "/api/v1/tokens", { scope: "enroll", name: "enroll web-1" });
    const agent = (await api(worker.url, token, "POST", "/api/v1/agent/enroll", { name: "web-1" }))
      .agentToken;
    await report(agent, "down");
    const settle = async (n: number, what: string) =>
      waitFor(
        async () => {
          await cron();
          return receiver.received.length - before >= n;
        },
        { timeoutMs: 20_000, intervalMs: 300, what },
      );
    await settle(6, "six opened messages");
    const [issue] = (await call("GET", "/api/healing/issues?status=active")).items;
    await call("POST", `/api/v1/issues/${issue.id}/acknowledge`);
    await settle(12, "six acknowledged messages");
    await report(agent, "up");
    await settle(18, "six resolved messages");
    await new Promise((r) => setTimeout(r, 1000));
    await cron();

    const got = receiver.received.slice(before);
    expect(got.flatMap((r) => r.problems)).toEqual([]);
    expect(got).toHaveLength(18);
    const link = `${worker.url}/issues/${issue.id}`;

    const mails = byPath("/resend/")
      .slice(-3)
      .map((r) => r.body);
    expect(mails.map((m) => m.subject)).toEqual([
      expect.stringMatching(/^\[selfheal\] \[HIGH\] web-1: .*nginx.* \(opened\)$/),
      expect.stringContaining("(acknowledged)"),
      expect.stringContaining("(resolved)"),
    ]);
    expect(mails[0]).toMatchObject({ to: ["ops@example.com", "dev@example.com"] });
    expect(mails[0].text).toContain(link);
    expect(mails[0].html).toContain(`href="${link}"`);
    const mailHeaders = byPath("/resend/")
      .slice(-3)
      .map((r) => r.headers["idempotency-key"]);
    expect(new Set(mailHeaders).size).toBe(3);

    const og = byPath("/og/").slice(-3);
    expect(og.map((r) => r.path)).toEqual([
      "/og/v2/alerts",
      `/og/v2/alerts/${issue.id}/acknowledge?identifierType=alias`,
      `/og/v2/alerts/${issue.id}/close?identifierType=alias`,
    ]);
    expect(og[0].body).toMatchObject({ alias: issue.id, priority: "P2", entity: "web-1" });

    const teams = byPath("/teams").slice(-3);
    expect(teams[0].body.attachments[0].content.actions[0].url).toBe(link);
    const discord = byPath("/discord").slice(-3);
    expect(discord.map((r) => r.body.embeds[0].title)).toEqual([
      "opened: web-1",
      "acknowledged: web-1",
      "resolved: web-1",
    ]);
    const tg = byPath("/tg/").slice(-3);
    expect(tg[0].path).toBe(`/tg/bot${BOT}/sendMessage`);
    expect(tg[0].body.text).toContain(`<a href="${link}">`);
    const hooks = byPath("/hook").slice(-3);
    expect(hooks.map((r) => r.headers["webhook-id"])).toEqual(hooks.map((r) => r.body.events[0].id));
    expect(hooks.every((r) => String(r.headers["webhook-signature"]).startsWith("v1,"))).toBe(true);
  });
});
