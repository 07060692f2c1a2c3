import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../../worker/index";
import { newTenant, service, sql } from "./support/harness";
import { addChannel, deliveries, idle, makeDue, recordOutbound, settle } from "./support/notify-harness";

/** The cron, once the org's after-response delivery work has finished (so the two never race). */
async function cron(orgId: string) {
  await idle(orgId);
  await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);
}
let restore = () => {};
afterEach(() => restore());

describe("notifications from the report pipeline", () => {
  it("writes an opened event in the same batch as the issue and delivers it after the response", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    await addChannel(t, { kind: "webhook", url: "http://receiver.test/hook", secret: "s".repeat(32) });
    const agent = await t.enroll("web-1");
    await agent.report({ services: [service("nginx", "down")] });
    const [issue] = await t.issues();
    const events = await sql(
      "SELECT event FROM notifications WHERE issue_id = ? ORDER BY created_at",
      issue.id,
    );
    expect(events.map((e) => e.event)).toContain("opened");
    await settle(async () => (await deliveries(t, "?status=delivered")).some((d) => d.event === "opened"));
    const opened = out.sent.find((s) => s.json.events.some((e: any) => e.event === "opened"));
    expect(opened?.json.events[0].issue).toMatchObject({ id: issue.id, host: "web-1", rule: "service_down" });
  });

  it("routes by minimum severity: a low-only filter hears nothing of a high issue", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    await addChannel(t, { kind: "slack", url: "http://receiver.test/slack", minSeverity: "critical" });
    const agent = await t.enroll();
    await agent.report({ services: [service("nginx", "down")] });
    await cron(t.orgId);
    expect(await deliveries(t)).toEqual([]);
    expect(out.sent).toEqual([]);
  });

  it("routes by host and rule filters", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    const a = await t.enroll("alpha");
    const b = await t.enroll("beta");
    await addChannel(t, {
      kind: "slack",
      url: "http://receiver.test/slack",
      hosts: ["alpha"],
      rules: ["service_down"],
    });
    await a.report({ services: [service("nginx", "down")] });
    await b.report({ services: [service("nginx", "down")] });
    await cron(t.orgId);
    const log = (await deliveries(t)).filter((d) => d.event === "opened");
    const alphaIssue = (await t.issues(`?host=${a.hostId}`))[0];
    expect(log.map((d) => d.issueId)).toEqual([alphaIssue.id]);
  });

  it("retries a failed delivery with backoff and stops at a 400 without retrying", async () => {
    let status = 503;
    const out = recordOutbound(() => new Response("nope", { status, headers: { "retry-after": "120" } }));
    restore = out.restore;
    const t = await newTenant();
    await addChannel(t, { kind: "webhook", url: "http://receiver.test/hook", secret: "s".repeat(32) });
    const agent = await t.enroll();
    await agent.report({ services: [service("nginx", "down")] });
    await cron(t.orgId);
    const [first] = await deliveries(t);
    expect(first).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 503 });
    const [row] = await sql("SELECT next_attempt_at FROM deliveries WHERE id = ?", first.id);
    expect(Number(row.next_attempt_at)).toBeGreaterThanOrEqual(Date.now() + 110_000); // Retry-After: 120

    await cron(t.orgId); // not due yet: nothing is sent
    expect(out.sent).toHaveLength(1);
    status = 400;
    await makeDue(t.orgId);
    await cron(t.orgId);
    await makeDue(t.orgId);
    await cron(t.orgId);
    const [last] = await deliveries(t);
    expect(last).toMatchObject({ status: "failed", attempts: 2, lastStatusCode: 400 });
    expect(out.sent).toHaveLength(2);
  });

  it("never sends an issue's opened event twice, even when the outbox is fanned out again", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    await addChannel(t, { kind: "slack", url: "http://receiver.test/slack" });
    const agent = await t.enroll();
    await agent.report({ services: [service("nginx", "down")] });
    await cron(t.orgId);
    await sql("UPDATE notifications SET dispatched_at = NULL WHERE org_id = ?", t.orgId);
    await makeDue(t.orgId);
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env); // not idle on purpose
    const opened = (await deliveries(t)).filter((d) => d.event === "opened");
    expect(opened).toHaveLength(1);
    expect(out.sent.filter((s) => s.json.text.includes("opened"))).toHaveLength(1);
  });

  it("announces a recovery that timed out on the agent as failed, from the cron sweep", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    await addChannel(t, { kind: "webhook", url: "http://receiver.test/hook", secret: "s".repeat(32) });
    const agent = await t.enroll();
    const { commands } = await agent.report({ services: [service("nginx", "down")] });
    await sql("UPDATE commands SET delivered_at = delivered_at - 180000 WHERE id = ?", commands[0].id);
    await cron(t.orgId);
    await cron(t.orgId); // a second sweep finds nothing new to announce
    const failed = out.sent
      .flatMap((s) => s.json.events)
      .filter((e: { event: string }) => e.event === "recovery_failed");
    expect(failed).toHaveLength(1);
    expect(failed[0].detail).toEqual({ action: "restart_service", status: "timed_out" });
  });

  it("pages once for a storm on PagerDuty and resolves the incident when its last issue resolves", async () => {
    const t = await newTenant();
    await t.config({ recovery: { auto_recovery: false } });
    const out = recordOutbound(() => new Response('{"status":"success"}', { status: 202 }));
    restore = out.restore;
    const routingKey = "e93facc04764012d7bfb002500d5d1a6";
    await addChannel(t, { kind: "pagerduty", routingKey, url: "http://receiver.test/v2/enqueue" });
    const agent = await t.enroll();
    const names = ["a", "b", "c"];
    await agent.report({ services: names.map((n) => service(n, "down")) });
    await cron(t.orgId);
    expect(out.sent.map((s) => s.json.event_action)).toEqual(["trigger"]);
    const incident = out.sent[0].json.dedup_key;
    expect(out.sent[0].json.payload.custom_details.count).toBe(3);

    await agent.report({ services: [service("a", "up"), service("b", "up"), service("c", "down")] });
    await cron(t.orgId);
    expect(out.sent).toHaveLength(1); // two of three resolved: the incident stays open
    await agent.report({ services: names.map((n) => service(n, "up")) });
    await cron(t.orgId);
    await makeDue(t.orgId);
    await cron(t.orgId);
    expect(out.sent.map((s) => [s.json.event_action, s.json.dedup_key])).toEqual([
      ["trigger", incident],
      ["resolve", incident],
    ]);
    const resolved = (await deliveries(t)).filter((d) => d.event === "resolved");
    expect(resolved.map((d) => d.status).sort()).toEqual(["delivered", "skipped", "skipped"]);
  });
});
