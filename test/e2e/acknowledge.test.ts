/**
 * Acknowledging an issue through wrangler dev to real local receivers: the
 * PagerDuty stand-in checks the acknowledge against PagerDuty's official OpenAPI schema.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, applyMigrations, freePort, newSecret, startWorker, waitFor } from "../../scripts/lib/stack.mjs";
import { startReceiver } from "./support/receivers";

const SECRET = "whsec_0123456789abcdef0123456789abcdef";
const ROUTING_KEY = "e93facc04764012d7bfb002500d5d1a6";

describe("acknowledging an issue notifies PagerDuty, Slack and webhooks in their own formats", () => {
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let persistTo: string;
  let base: string;
  const admin = newSecret();
  const call = (method: string, p: string, body?: unknown) => api(worker.url, admin, method, p, body);

  beforeAll(async () => {
    persistTo = mkdtempSync(path.join(tmpdir(), "selfheal-ack-"));
    await applyMigrations(persistTo);
    worker = await startWorker({ port: await freePort(), persistTo, adminToken: admin });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    receiver = await startReceiver(port, SECRET);
  });
  afterAll(async () => {
    await receiver?.close();
    await worker?.stop();
    if (persistTo) rmSync(persistTo, { recursive: true, force: true });
  });

  it("sends acknowledge under the trigger's dedup_key, once, and the event to the others", async () => {
    await call("POST", "/api/healing/config", { recovery: { auto_recovery: false } });
    const channel = (body: Record<string, unknown>) =>
      call("POST", "/api/v1/channels", { minSeverity: "low", groupWaitSeconds: 0, ...body });
    await channel({ kind: "pagerduty", name: "pd", routingKey: ROUTING_KEY, url: `${base}/v2/enqueue` });
    await channel({ kind: "slack", name: "slack", url: `${base}/slack` });
    await channel({ kind: "webhook", name: "hook", url: `${base}/hook`, secret: SECRET });
    const { token } = await call("POST", "/api/v1/tokens", { scope: "enroll", name: "enroll" });
    const { agentToken } = await api(worker.url, token, "POST", "/api/v1/agent/enroll", { name: "web-1" });
    await api(worker.url, agentToken, "POST", "/api/v1/agent/report", {
      protocol: 1,
      samples: [{ ts: new Date().toISOString(), metrics: { cpu: 5, memory: 20, disk: 30, load1: 0.1 } }],
      services: [{ name: "nginx", kind: "systemd", status: "down" }],
    });
    const pd = () => receiver.received.filter((r) => r.path === "/v2/enqueue");
    await waitFor(async () => pd().length === 1, { what: "the trigger" });
    const [issue] = (await call("GET", "/api/healing/issues")).items;

    const { token: operator } = await call("POST", "/api/v1/tokens", { scope: "operator", name: "on call" });
    for (let i = 0; i < 2; i++) {
      const acked = await api(worker.url, operator, "POST", `/api/v1/issues/${issue.id}/acknowledge`);
      expect(acked.acknowledgedBy).toBe("on call");
    }
    const events = (p: string) =>
      receiver.received
        .filter((r) => r.path === p)
        .flatMap((r) => (p === "/hook" ? r.body.events.map((e: { event: string }) => e.event) : [r.raw]));
    await waitFor(
      async () =>
        pd().length === 2 && events("/hook").includes("acknowledged") && events("/slack").length >= 2,
      { what: "the acknowledgement delivered everywhere" },
    );
    expect(pd().map((r) => [r.body.event_action, r.body.dedup_key])).toEqual([
      ["trigger", issue.id],
      ["acknowledge", issue.id],
    ]);
    expect(events("/slack").some((raw) => raw.includes("acknowledged"))).toBe(true);
    expect(receiver.received.flatMap((r) => r.problems)).toEqual([]);
  });
});
