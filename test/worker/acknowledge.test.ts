import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../../worker/index";
import { call, expectError, type Issue, json, newTenant, service, type Tenant } from "./support/harness";
import { addChannel, idle, recordOutbound } from "./support/notify-harness";
import { auditOf } from "./support/sec-harness";

async function operatorToken(t: Tenant, name = "on call") {
  const body = { scope: "operator", name };
  return (await json<{ token: string }>("/api/v1/tokens", { token: t.admin, body }, 201)).token;
}

/** A tenant with one open service_down issue (automatic recovery off, so it stays open). */
async function withIssue() {
  const t = await newTenant();
  await t.config({ recovery: { auto_recovery: false } });
  const agent = await t.enroll("web-1");
  await agent.report({ services: [service("nginx", "down")] });
  const [issue] = await t.issues();
  return { t, agent, issue };
}

const acknowledge = (id: string, token: string) =>
  json<Issue>(`/api/v1/issues/${id}/acknowledge`, { token, method: "POST" });

let restore = () => {};
afterEach(() => restore());

describe("acknowledging an issue", () => {
  it("records when and under which token name, and keeps the first acknowledgement", async () => {
    const { t, issue } = await withIssue();
    expect((await t.issue(issue.id)).acknowledgedAt).toBeNull();
    const first = await acknowledge(issue.id, await operatorToken(t, "night shift"));
    expect(first.acknowledgedBy).toBe("night shift");
    expect(Date.parse(first.acknowledgedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect(first.status).toBe("open");

    const again = await acknowledge(issue.id, t.admin);
    expect(again.acknowledgedAt).toBe(first.acknowledgedAt);
    expect(again.acknowledgedBy).toBe("night shift");
    const [listed] = (await t.issues()) as Issue[];
    expect(listed).toMatchObject({ acknowledgedBy: "night shift", acknowledgedAt: first.acknowledgedAt });
    // the audit log names the first acknowledgement only
    const acks = (await auditOf(t.admin)).items.filter((e) => e.action === "issue.acknowledge");
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ targetId: issue.id, actor: { name: "night shift" } });
  });

  it("answers 404 for another org's issue and 403 for a read token", async () => {
    const { issue } = await withIssue();
    const other = await newTenant();
    await expectError(
      await call(`/api/v1/issues/${issue.id}/acknowledge`, { token: other.admin, method: "POST" }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/api/v1/issues/${issue.id}/acknowledge`, {
        token: await other.token("read"),
        method: "POST",
      }),
      403,
      "FORBIDDEN",
    );
  });

  it("refuses a resolved issue with 409", async () => {
    const { t, agent, issue } = await withIssue();
    await agent.report({ services: [service("nginx", "up")] });
    expect((await t.issue(issue.id)).status).toBe("resolved");
    const res = await call(`/api/v1/issues/${issue.id}/acknowledge`, { token: t.admin, method: "POST" });
    expect((await expectError(res, 409, "CONFLICT")).message).toMatch(/resolved/);
  });

  it("sends PagerDuty an acknowledge under the incident's dedup_key, once", async () => {
    const out = recordOutbound(() => new Response('{"status":"success"}', { status: 202 }));
    restore = out.restore;
    const t = await newTenant();
    await t.config({ recovery: { auto_recovery: false } });
    const routingKey = "e93facc04764012d7bfb002500d5d1a6";
    await addChannel(t, { kind: "pagerduty", routingKey, url: "http://receiver.test/v2/enqueue" });
    const agent = await t.enroll("web-1");
    await agent.report({ services: [service("nginx", "down")] });
    const [issue] = await t.issues();
    const cron = async () => {
      await idle(t.orgId);
      await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);
      await idle(t.orgId);
    };
    await cron();
    await acknowledge(issue.id, t.admin);
    await acknowledge(issue.id, t.admin);
    await cron();
    expect(out.sent.map((s) => s.json.event_action)).toEqual(["trigger", "acknowledge"]);
    expect(out.sent[1].json).toEqual({
      routing_key: routingKey,
      event_action: "acknowledge",
      dedup_key: issue.id,
    });
  });
});
