/**
 * Actions that exist: rule actions are checked against what can run them, `notify` is the
 * notification alone, the edge queues only what a host's agent says it can do, and an operator
 * action that ended refused can be closed by a person.
 */
import { describe, expect, it } from "vitest";
import { call, expectError, json, newTenant, result, service, type Tenant } from "./support/harness";
import { badFields, createRules, listRules, postRules, rule } from "./support/rules-harness";
import { auditOf } from "./support/sec-harness";

const CAPS = {
  actions: ["health_check", "restart_service", "lockdown", "unlock"],
  limits: { restart_service: ["web"] },
  services: ["web", "db"],
  caches: [],
  configs: [],
  scripts: [],
};

async function hostWithCaps(t: Tenant, name = "app-1") {
  const agent = await t.enroll(name);
  await agent.report({ capabilities: CAPS, services: [service("web", "up"), service("db", "up")] });
  return agent;
}

describe("rule actions are known actions", () => {
  it("refuses an unknown action with a 400 naming the field, in both rule shapes, and writes nothing", async () => {
    const t = await newTenant();
    expect(await badFields(await postRules(t, rule({ actions: ["restart_service", "page_me"] })))).toEqual([
      "actions.1",
    ]);
    const seed = { cpu_hot: { threshold: 90, severity: "high", actions: ["page_me"] } };
    const res = await postRules(t, seed);
    expect(await badFields(res.clone())).toEqual(["cpu_hot.actions.0"]);
    expect((await expectError(res, 400, "BAD_REQUEST")).message).toMatch(/cpu_hot\.actions\.0/);
    expect((await listRules(t)).filter((r) => !r.builtin)).toEqual([]);

    await createRules(t, rule());
    const put = await call("/api/v1/rules/cpu_hot", {
      method: "PUT",
      token: t.admin,
      body: rule({ actions: ["reboot_everything"] }),
    });
    expect(await badFields(put)).toEqual(["actions.0"]);
    const patch = await call("/api/v1/rules/cpu_hot", {
      method: "PATCH",
      token: t.admin,
      body: { actions: ["notify", "page_me"] },
    });
    expect(await badFields(patch)).toEqual(["actions.1"]);
    expect((await listRules(t)).find((r) => r.id === "cpu_hot")?.actions).toEqual([]);
  });

  it("takes agent actions, webhook:<name>, the seed's scale_resources and the org's own action webhook names", async () => {
    const t = await newTenant();
    const other = await newTenant();
    await json("/api/v1/action-webhooks/page_me", {
      method: "PUT",
      token: t.admin,
      body: { url: "https://hooks.example/page" },
    });
    const [created] = await createRules(
      t,
      rule({ actions: ["clear_cache", "webhook:scale_out", "scale_resources", "page_me"] }),
    );
    expect(created.actions).toEqual(["clear_cache", "webhook:scale_out", "scale_resources", "page_me"]);
    // another org's action webhook names nothing here
    expect(await badFields(await postRules(other, rule({ actions: ["page_me"] })))).toEqual(["actions.0"]);
  });

  it("treats notify as the notification alone: no command, no attempt, no escalation", async () => {
    const t = await newTenant();
    const [created] = await createRules(t, rule({ actions: ["notify"] }));
    expect(created.actions).toEqual([]);
    const agent = await t.enroll();
    const { commands } = await agent.report({
      samples: [{ ts: new Date().toISOString(), metrics: { cpu: 99 } }],
    });
    expect(commands).toEqual([]);
    const [issue] = (await t.issues()).filter((i) => i.rule === "cpu_hot");
    expect(issue).toMatchObject({ status: "open", attempts: 0 });
    const again = await agent.report({ samples: [{ ts: new Date().toISOString(), metrics: { cpu: 99 } }] });
    expect(again.commands).toEqual([]);
    expect((await t.issue(issue.id)).status).toBe("open");
  });
});

describe("the edge queues only what the host's agent can do", () => {
  it("keeps what the agent says it can do on the host", async () => {
    const t = await newTenant();
    const agent = await hostWithCaps(t);
    expect((await t.host(agent.hostId)).capabilities).toEqual(CAPS);
    // steady reports leave them as they were
    await agent.report();
    expect((await t.host(agent.hostId)).capabilities).toEqual(CAPS);
  });

  it("refuses an emergency protocol the agent does not enable with a 409 saying why, opening nothing", async () => {
    const t = await newTenant();
    await hostWithCaps(t);
    const res = await call("/api/v1/hosts/app-1/actions", {
      token: t.admin,
      body: { action: "emergency_backup", reason: "before the deploy" },
    });
    const err = await expectError(res, 409, "CONFLICT");
    expect(err.message).toMatch(/emergency_backup is not enabled in app-1's agent config/);
    expect(await t.issues()).toEqual([]);
    const ok = await call("/api/v1/hosts/app-1/actions", {
      token: t.admin,
      body: { action: "lockdown", reason: "attack" },
    });
    expect(ok.status).toBe(202);
  });

  it("skips in its plan, and refuses by hand, an action the agent does not allow on that service", async () => {
    const t = await newTenant();
    const agent = await hostWithCaps(t);
    const { commands } = await agent.report({ services: [service("web", "up"), service("db", "down")] });
    expect(commands).toEqual([]); // never sent to be refused
    const issue = (await t.issues()).find((i) => i.rule === "service_down" && i.target === "db");
    if (!issue) throw new Error("no service_down issue for db");
    expect((await t.issue(issue.id)).explanation?.plan.skipped).toEqual([
      {
        action: "restart_service",
        reason: "app-1's agent config allows restart_service only on web, not db",
      },
    ]);
    expect(issue.status).not.toBe("escalated");
    const res = await call("/api/healing/recover", {
      token: t.admin,
      body: { issue_id: issue.id, action: "restart_service" },
    });
    expect((await expectError(res, 409, "CONFLICT")).message).toMatch(
      /allows restart_service only on web, not db/,
    );
    const notify = await call("/api/healing/recover", {
      token: t.admin,
      body: { issue_id: issue.id, action: "notify" },
    });
    expect(await badFields(notify)).toEqual(["action"]);
  });

  it("checks another org's host as not found and a read token as forbidden", async () => {
    const t = await newTenant();
    await hostWithCaps(t);
    const other = await newTenant();
    const body = { action: "emergency_backup", reason: "x" };
    await expectError(
      await call("/api/v1/hosts/app-1/actions", { token: other.admin, body }),
      404,
      "NOT_FOUND",
    );
    const reader = await t.token("read");
    await expectError(await call("/api/v1/hosts/app-1/actions", { token: reader, body }), 403, "FORBIDDEN");
  });
});

describe("closing an operator issue that ended refused or failed", () => {
  async function refused() {
    const t = await newTenant();
    const agent = await t.enroll("db-1");
    await agent.report();
    const queued = await json<{ issueId: string; commandId: string }>(
      "/api/v1/hosts/db-1/actions",
      { token: t.admin, body: { action: "lockdown", reason: "attack" } },
      202,
    );
    await agent.report({ results: [result(queued.commandId, "refused", { output: "not allowed" })] });
    expect((await t.issue(queued.issueId)).status).toBe("escalated");
    return { t, agent, id: queued.issueId };
  }

  it("resolves it with the reason in its evidence and the audit log", async () => {
    const { t, id } = await refused();
    const closed = await json<{
      status: string;
      mttrSeconds: number | null;
      evidence: Record<string, unknown>;
    }>(`/api/v1/issues/${id}/close`, {
      token: t.admin,
      body: { reason: "lockdown is not configured on this host" },
    });
    expect(closed).toMatchObject({
      status: "resolved",
      mttrSeconds: null,
      evidence: { closed: { by: "test admin", reason: "lockdown is not configured on this host" } },
    });
    const { items } = await auditOf(t.admin, "?action=issue.close");
    expect(items.map((e) => e.targetId)).toEqual([id]);
    const again = await call(`/api/v1/issues/${id}/close`, { token: t.admin, body: { reason: "twice" } });
    expect((await expectError(again, 409, "CONFLICT")).message).toMatch(/already resolved/);
  });

  it("wants a reason, an operator's token, the caller's org, and an operator issue", async () => {
    const { t, id } = await refused();
    expect(await badFields(await call(`/api/v1/issues/${id}/close`, { token: t.admin, body: {} }))).toEqual([
      "reason",
    ]);
    const reader = await t.token("read");
    const body = { reason: "done" };
    await expectError(await call(`/api/v1/issues/${id}/close`, { token: reader, body }), 403, "FORBIDDEN");
    const other = await newTenant();
    await expectError(
      await call(`/api/v1/issues/${id}/close`, { token: other.admin, body }),
      404,
      "NOT_FOUND",
    );

    const agent = await t.enroll();
    await agent.report({ services: [service("nginx", "down")] });
    const engine = (await t.issues()).find((i) => i.rule === "service_down");
    if (!engine) throw new Error("no engine issue");
    const res = await call(`/api/v1/issues/${engine.id}/close`, { token: t.admin, body });
    expect((await expectError(res, 409, "CONFLICT")).message).toMatch(/only an operator action's issue/);
  });
});

describe("recovery success prediction", () => {
  it("gives each planned action its learned success probability and the attempts behind it", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const first = await agent.report({ services: [service("nginx", "down")] });
    const [cmd] = first.commands;
    await agent.report({ services: [service("nginx", "down")], results: [result(cmd.id, "failed")] });
    const issue = (await t.issues()).find((i) => i.rule === "service_down");
    if (!issue) throw new Error("no issue");
    const detail = await json<{ prediction: unknown[] }>(`/api/healing/issues/${issue.id}`, {
      token: t.admin,
    });
    expect(detail.prediction).toEqual([
      { action: "restart_service", successProbability: 0.333, attempts: 1, succeeded: 0, learned: false },
    ]);
  });
});
