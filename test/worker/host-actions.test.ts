import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import type { HostAction } from "../../worker/schemas/host-actions";
import { call, expectError, type Issue, json, newTenant, result, sql, type Tenant } from "./support/harness";

type OperatorIssue = Issue & { source: string };

const run = (t: Tenant, host: string, body: unknown, token = t.admin) =>
  json<HostAction>(`/api/v1/hosts/${host}/actions`, { token, body }, 202);

async function onHost() {
  const t = await newTenant();
  const agent = await t.enroll("db-1");
  await agent.report();
  return { t, agent };
}

describe("host actions (emergency protocols)", () => {
  it("opens an operator issue, hands the command to the agent and resolves the issue on success", async () => {
    const { t, agent } = await onHost();
    const queued = await run(t, "db-1", { action: "emergency_backup", reason: "before the migration" });
    expect(queued).toMatchObject({
      action: "emergency_backup",
      commandStatus: "pending",
      issueStatus: "recovering",
    });
    const issue = (await t.issue(queued.issueId)) as OperatorIssue;
    expect(issue).toMatchObject({ source: "operator", rule: "operator:emergency_backup", severity: "high" });
    expect(issue.evidence).toMatchObject({ operator: "test admin", reason: "before the migration" });

    // A report without any finding leaves the operator issue alone while its command runs.
    const { commands } = await agent.report();
    expect(commands.map((c) => [c.id, c.action, c.issueId])).toEqual([
      [queued.commandId, "emergency_backup", queued.issueId],
    ]);
    expect((await t.issue(queued.issueId)).status).toBe("recovering");

    await agent.report({ results: [result(queued.commandId, "succeeded", { output: "wrote backup" })] });
    const done = await t.issue(queued.issueId);
    expect(done.status).toBe("resolved");
    expect(done.history).toEqual([
      expect.objectContaining({ commandId: queued.commandId, status: "succeeded", trigger: "manual" }),
    ]);
    // An action someone asked for is not a recovery: it stays out of the MTTR.
    const metrics = await t.get<{ mttrSeconds: { mean: number | null } }>("/api/healing/metrics");
    expect(metrics.mttrSeconds.mean).toBeNull();
  });

  it("escalates on a refusal, then runs again on the same issue when asked again", async () => {
    const { t, agent } = await onHost();
    const first = await run(t, "db-1", { action: "lockdown", reason: "attack" });
    const conflict = await call("/api/v1/hosts/db-1/actions", {
      token: t.admin,
      body: { action: "lockdown", reason: "twice" },
    });
    expect((await expectError(conflict, 409, "CONFLICT")).message).toMatch(/already under way/);
    await agent.report({ results: [result(first.commandId, "refused", { output: "not allowed" })] });
    expect((await t.issue(first.issueId)).status).toBe("escalated");

    const second = await run(t, "db-1", { action: "lockdown", reason: "attack, config fixed" });
    expect(second.issueId).toBe(first.issueId);
    expect(second.commandId).not.toBe(first.commandId);
    const { commands } = await agent.report();
    expect(commands.map((c) => c.id)).toEqual([second.commandId]);
    await agent.report({ results: [result(second.commandId, "succeeded")] });
    const issue = await t.issue(first.issueId);
    expect(issue.status).toBe("resolved");
    expect(issue.history.map((h) => h.status).sort()).toEqual(["refused", "succeeded"]);
  });

  it("escalates from the cron when the host goes quiet and its command times out", async () => {
    const { t, agent } = await onHost();
    const queued = await run(t, "db-1", { action: "lockdown", reason: "attack" });
    expect((await agent.report()).commands.map((c) => c.id)).toEqual([queued.commandId]);
    await sql(
      "UPDATE commands SET delivered_at = ? WHERE id = ?",
      Date.now() - 10 * 60_000,
      queued.commandId,
    );
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);
    const issue = await t.issue(queued.issueId);
    expect(issue.status).toBe("escalated");
    expect(issue.history.map((h) => h.status)).toEqual(["timed_out"]);
  });

  it("always waits for approval before an emergency_shutdown, and escalates a rejected one", async () => {
    const { t, agent } = await onHost();
    const queued = await run(t, "db-1", { action: "emergency_shutdown", reason: "disk failing" });
    expect(queued).toMatchObject({ commandStatus: "awaiting_approval", issueStatus: "awaiting_approval" });
    expect((await t.issue(queued.issueId)).severity).toBe("critical");
    expect((await agent.report()).commands).toEqual([]);
    await json(`/api/v1/commands/${queued.commandId}/reject`, { token: t.admin, body: { reason: "no" } });
    expect((await t.issue(queued.issueId)).status).toBe("escalated");
  });

  it("follows require_confirmation by action, and an approval hands the command out", async () => {
    const { t, agent } = await onHost();
    await t.config({ recovery: { require_confirmation: { actions: ["unlock"] } } });
    const queued = await run(t, "db-1", { action: "unlock", reason: "all clear" });
    expect(queued.commandStatus).toBe("awaiting_approval");
    await json(`/api/v1/commands/${queued.commandId}/approve`, { token: t.admin, body: {} });
    expect((await agent.report()).commands.map((c) => c.id)).toEqual([queued.commandId]);
    expect((await t.issue(queued.issueId)).status).toBe("recovering");
  });

  it("lets an operator run one, not a read token, and only on its own org's hosts", async () => {
    const { t } = await onHost();
    const body = { action: "emergency_backup", reason: "r" };
    const operator = (
      await json<{ token: string }>(
        "/api/v1/tokens",
        { token: t.admin, body: { scope: "operator", name: "ops" } },
        201,
      )
    ).token;
    expect((await run(t, "db-1", body, operator)).commandStatus).toBe("pending");
    const read = await t.token("read");
    await expectError(await call("/api/v1/hosts/db-1/actions", { token: read, body }), 403, "FORBIDDEN");
    const other = await newTenant();
    await expectError(
      await call("/api/v1/hosts/db-1/actions", { token: other.admin, body }),
      404,
      "NOT_FOUND",
    );
  });

  it("accepts only the agent's action kinds, a target name and a reason", async () => {
    const { t } = await onHost();
    for (const [body, path] of [
      [{ action: "rm_rf", reason: "x" }, "action"],
      [{ action: "health_check", reason: "x" }, "action"],
      [{ action: "emergency_backup" }, "reason"],
      [{ action: "restart_service", target: "web; reboot", reason: "x" }, "target"],
      [{ action: "emergency_backup", reason: "x", command: "reboot" }, "command"],
    ] as const) {
      const res = await call("/api/v1/hosts/db-1/actions", { token: t.admin, body });
      const error = await expectError(res, 400, "BAD_REQUEST");
      expect(error.issues?.map((i) => i.path)).toContain(path);
    }
  });

  it("runs one of two simultaneous identical requests and answers the other 409", async () => {
    const { t } = await onHost();
    const body = { action: "emergency_backup", reason: "twice at once" };
    const both = await Promise.all(
      [1, 2].map(() => call("/api/v1/hosts/db-1/actions", { token: t.admin, body })),
    );
    expect(both.map((r) => r.status).sort()).toEqual([202, 409]);
    expect((await t.issues()).filter((i) => i.rule === "operator:emergency_backup")).toHaveLength(1);
  });

  it("refuses every host action while emergency protocols are turned off", async () => {
    const { t } = await onHost();
    await t.config({ recovery: { emergency_shutdown: false } });
    const res = await call("/api/v1/hosts/db-1/actions", {
      token: t.admin,
      body: { action: "emergency_backup", reason: "x" },
    });
    expect((await expectError(res, 409, "CONFLICT")).message).toMatch(/turned off/);
  });
});
