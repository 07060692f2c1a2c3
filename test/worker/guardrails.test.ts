import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import { type Agent, call, json, newTenant, result, service, sql, type Tenant } from "./support/harness";
import { addChannel, deliveries, idle, recordOutbound } from "./support/notify-harness";

const down = [service("nginx", "down", { detail: "inactive (dead)" })];
const up = [service("nginx", "up")];
const hour = () => new Date(Date.now() + 3_600_000).toISOString();
type Plan = { next: string | null; why: string };
const planOf = async (t: Tenant, issueId: string) => (await t.issue(issueId)).explanation.plan as Plan;

const openWindow = (t: Tenant, body: Record<string, unknown>) =>
  json<{ id: string }>(
    "/api/v1/maintenance",
    { token: t.admin, body: { endsAt: hour(), reason: "deploy", ...body } },
    201,
  );
const setGroup = (t: Tenant, a: Agent, group: string) =>
  json(`/api/v1/hosts/${a.hostId}`, { method: "PATCH", token: t.admin, body: { group } });

describe("maintenance windows", () => {
  it("holds automatic actions for the host while detection goes on, and lets them run once deleted", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const window = await openWindow(t, { host: agent.name });
    expect((await agent.report({ services: down })).commands).toEqual([]);
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    expect(issue.status).toBe("open");
    expect((await planOf(t, issue.id)).why).toMatch(
      /^held: maintenance window until \d{4}-\d\d-\d\d \d\d:\d\d UTC: deploy$/,
    );
    const listed = await json<{ items: { id: string }[] }>("/api/v1/maintenance", { token: t.admin });
    expect(listed.items.map((w) => w.id)).toEqual([window.id]);

    expect(
      (await call(`/api/v1/maintenance/${window.id}`, { method: "DELETE", token: t.admin })).status,
    ).toBe(204);
    const next = await agent.report({ services: down });
    expect(next.commands.map((c) => c.action)).toEqual(["restart_service"]);
  });

  it("holds by group and by rule, and leaves other rules alone", async () => {
    const t = await newTenant();
    const grouped = await t.enroll();
    await setGroup(t, grouped, "web");
    await openWindow(t, { group: "web" });
    expect((await grouped.report({ services: down })).commands).toEqual([]);

    const other = await newTenant();
    const agent = await other.enroll();
    await openWindow(other, { rule: "cpu_high" });
    expect((await agent.report({ services: down })).commands.map((c) => c.action)).toEqual([
      "restart_service",
    ]);
    await openWindow(other, { rule: "service_down" });
    const second = await other.enroll();
    expect((await second.report({ services: down })).commands).toEqual([]);
  });

  it("holds the notifications of issues in a window and still sends the others", async () => {
    const out = recordOutbound();
    try {
      const t = await newTenant();
      await addChannel(t, { kind: "webhook", url: "http://receiver.test/hook", secret: "s".repeat(32) });
      const quiet = await t.enroll("quiet");
      const loud = await t.enroll("loud");
      await openWindow(t, { host: "quiet" });
      await quiet.report({ services: down });
      await loud.report({ services: down });
      await idle(t.orgId);
      await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);
      const [held] = await t.issues(`?host=${quiet.hostId}`);
      const [sent] = await t.issues(`?host=${loud.hostId}`);
      const issueIds = (await deliveries(t)).map((d) => d.issueId);
      expect(issueIds).toContain(sent.id);
      expect(issueIds).not.toContain(held.id);
      const pending = await sql(
        "SELECT id FROM notifications WHERE issue_id = ? AND dispatched_at IS NULL",
        held.id,
      );
      expect(pending).toEqual([]);
    } finally {
      out.restore();
    }
  });

  it("rejects a window that ends before it starts", async () => {
    const t = await newTenant();
    const res = await call("/api/v1/maintenance", {
      token: t.admin,
      body: { startsAt: hour(), endsAt: new Date().toISOString(), reason: "x" },
    });
    expect(res.status).toBe(400);
  });
});

describe("the circuit breaker", () => {
  it("stops and escalates after the same action on the same target failed 3 times", async () => {
    const t = await newTenant();
    await t.config({ recovery: { max_attempts: 10 } });
    const agent = await t.enroll();
    let last = await agent.report({ services: down });
    for (let i = 0; i < 2; i++) {
      last = await agent.report({ services: down, results: [result(last.commands[0].id, "failed")] });
      expect(last.commands).toHaveLength(1);
    }
    last = await agent.report({ services: down, results: [result(last.commands[0].id, "failed")] });
    expect(last.commands).toEqual([]);
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    expect(issue).toMatchObject({ status: "escalated", attempts: 3 });
    // which failures tripped it, when it lets go, and how: in times people read
    const stamp = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC";
    expect((await planOf(t, issue.id)).why).toMatch(
      new RegExp(
        `^circuit breaker: restart_service on nginx failed 3 times in 30 min: at ${stamp}, ${stamp}, ${stamp}; it resets at ${stamp}, or when an admin resets it$`,
      ),
    );
  });
});

/** An issue escalated by the breaker: restart_service on nginx failed 3 times. */
async function tripped(t: Tenant) {
  await t.config({ recovery: { max_attempts: 10 } });
  const agent = await t.enroll();
  let last = await agent.report({ services: down });
  for (let i = 0; i < 3; i++)
    last = await agent.report({ services: down, results: [result(last.commands[0].id, "failed")] });
  const [issue] = await t.issues(`?host=${agent.hostId}`);
  expect(issue.status).toBe("escalated");
  return { agent, issue };
}

describe("resetting a circuit breaker", () => {
  it("lets an admin reset it: audited, the issue reopens and the engine tries again", async () => {
    const t = await newTenant();
    const { agent, issue } = await tripped(t);
    const reset = await json<{ status: string }>(`/api/v1/issues/${issue.id}/reset-guardrail`, {
      token: t.admin,
      body: {},
    });
    expect(reset.status).toBe("open");
    const next = await agent.report({ services: down });
    expect(next.commands.map((c) => c.action)).toEqual(["restart_service"]);
    const log = await json<{ items: { action: string; summary: string; actor: { name: string } }[] }>(
      `/api/v1/audit?target=${issue.id}`,
      { token: t.admin },
    );
    const entry = log.items.find((e) => e.action === "guardrail.reset");
    expect(entry?.summary).toMatch(
      /^reset the circuit breaker on nginx for issue .*: circuit breaker: restart_service/,
    );
    expect(entry?.actor.name).toBe("test admin");
  });

  it("is for admins only, within their org, and only for an issue a breaker or crash loop holds", async () => {
    const t = await newTenant();
    const { issue } = await tripped(t);
    const path = `/api/v1/issues/${issue.id}/reset-guardrail`;
    for (const scope of ["operator", "read"] as const) {
      const res = await call(path, { token: await t.token(scope), body: {} });
      expect(res.status).toBe(403);
    }
    const other = await newTenant();
    expect((await call(path, { token: other.admin, body: {} })).status).toBe(404);
    expect((await t.issue(issue.id)).status).toBe("escalated");
    await json(path, { token: t.admin, body: {} });
    // open again: nothing holds it any more
    const again = await call(path, { token: t.admin, body: {} });
    expect(again.status).toBe(409);
  });
});

describe("rolling recovery in a group", () => {
  it("never restarts every host of a group at once", async () => {
    const t = await newTenant();
    const [a, b, c] = [await t.enroll(), await t.enroll(), await t.enroll()];
    for (const h of [a, b, c]) await setGroup(t, h, "web");
    const first = await a.report({ services: down });
    expect(first.commands).toHaveLength(1);
    expect((await b.report({ services: down })).commands).toEqual([]);
    const [waiting] = await t.issues(`?host=${b.hostId}`);
    expect((await planOf(t, waiting.id)).why).toBe("waiting: 1 of 3 hosts in group web are recovering");

    await a.report({ services: up, results: [result(first.commands[0].id, "succeeded")] });
    expect((await b.report({ services: down })).commands.map((x) => x.action)).toEqual(["restart_service"]);
  });

  it("moves a host between groups through PATCH /api/v1/hosts/{id}", async () => {
    const t = await newTenant();
    const a = await t.enroll();
    expect(await setGroup(t, a, "db")).toMatchObject({ id: a.hostId, group: "db" });
    const cleared = await json(`/api/v1/hosts/${a.name}`, {
      method: "PATCH",
      token: t.admin,
      body: { group: null },
    });
    expect(cleared).toMatchObject({ group: null });
  });
});
