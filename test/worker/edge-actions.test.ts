import { afterEach, describe, expect, it } from "vitest";
import { signWebhook } from "../../worker/services/notify/format";
import { json, newTenant, service, type Tenant } from "./support/harness";
import { recordOutbound, settle } from "./support/notify-harness";

const SECRET = "whsec-0123456789abcdef";
const down = [service("nginx", "down")];
let restore = () => {};
afterEach(() => restore());

async function withWebhook(action = "webhook:scale") {
  const t = await newTenant();
  const hook = { url: "http://receiver.test/scale", secret: SECRET, timeoutMs: 2000 };
  await json("/api/v1/action-webhooks/scale", { method: "PUT", token: t.admin, body: hook });
  await json("/api/v1/rules/service_down", { method: "PATCH", token: t.admin, body: { actions: [action] } });
  return t;
}

const finished = async (t: Tenant, issueId: string) => {
  let status = "pending";
  await settle(async () => {
    status = (await t.history(`?issue=${issueId}`))[0]?.status ?? "pending";
    return status !== "pending";
  });
  return (await t.history(`?issue=${issueId}`))[0];
};

describe("webhook: recovery actions", () => {
  it("are called by the Worker with a signed JSON POST and recorded like any attempt", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await withWebhook();
    const agent = await t.enroll("web-1");
    const { commands } = await agent.report({ services: down });
    expect(commands).toEqual([]);
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    expect(issue.status).toBe("recovering");
    const entry = await finished(t, issue.id);
    expect(entry).toMatchObject({ action: "webhook:scale", status: "succeeded", output: "HTTP 200: ok" });

    const [req] = out.sent;
    expect(req.json).toMatchObject({ action: "scale", issueId: issue.id, host: "web-1", target: "nginx" });
    const expected = await signWebhook(SECRET, req.headers["x-selfheal-timestamp"], req.body);
    expect(req.headers["x-selfheal-signature"]).toBe(expected);
    expect(req.headers["x-selfheal-command"]).toBe(entry.commandId);
  });

  it("records a failing endpoint as a failed attempt", async () => {
    const out = recordOutbound(() => new Response("scaling group at max", { status: 503 }));
    restore = out.restore;
    const t = await withWebhook();
    const agent = await t.enroll();
    await agent.report({ services: down });
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    expect(await finished(t, issue.id)).toMatchObject({
      status: "failed",
      output: "HTTP 503: scaling group at max",
    });
  });

  it("refuses an action naming no configured webhook, and never shows the secret", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await withWebhook("webhook:nowhere");
    const agent = await t.enroll();
    await agent.report({ services: down });
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    expect(await finished(t, issue.id)).toMatchObject({ status: "refused" });
    expect(out.sent).toEqual([]);
    const { items } = await json<{ items: unknown[] }>("/api/v1/action-webhooks", { token: t.admin });
    expect(items).toEqual([expect.objectContaining({ name: "scale", hasSecret: true })]);
    expect(JSON.stringify(items)).not.toContain(SECRET);
  });
});
