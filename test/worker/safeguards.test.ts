import { describe, expect, it } from "vitest";
import type { Command as CommandView } from "../../worker/api-types";
import { call, expectError, json, newTenant, type Queued, service, type Tenant } from "./support/harness";

const down = [service("nginx", "down", { detail: "inactive (dead)" })];

const operator = async (t: Tenant, name = "second operator") =>
  (
    await json<{ token: string }>(
      "/api/v1/tokens",
      { token: t.admin, body: { scope: "operator", name } },
      201,
    )
  ).token;
const recover = (token: string, issueId: string, action: string) =>
  call("/api/healing/recover", { token, body: { issue_id: issueId, action } });
const approve = (token: string, id: string) => call(`/api/v1/commands/${id}/approve`, { token, body: {} });
const waiting = async (t: Tenant, token = t.admin) =>
  (await json<{ items: CommandView[] }>("/api/v1/commands?status=awaiting_approval", { token })).items;

/** An org whose host has nginx down, with the issue open (and the engine's own command handled). */
async function withIssue(config?: unknown, rule?: unknown) {
  const t = await newTenant();
  if (config) await t.config(config);
  if (rule) await json("/api/v1/rules/service_down", { method: "PATCH", token: t.admin, body: rule });
  const agent = await t.enroll();
  const first = await agent.report({ services: down });
  const [issue] = await t.issues(`?host=${agent.hostId}`);
  return { t, agent, issue, first };
}

describe("safeguards on every path that queues an action", () => {
  it("holds /recover emergency_shutdown for approval, refuses its requester's approval and runs another token's", async () => {
    const { t, agent, issue } = await withIssue({ recovery: { auto_recovery: false } });
    const res = await recover(t.admin, issue.id, "emergency_shutdown");
    expect(res.status).toBe(202);
    const queued = (await res.json()) as Queued;
    expect(queued).toMatchObject({ action: "emergency_shutdown", status: "awaiting_approval" });
    expect((await t.issue(issue.id)).status).toBe("awaiting_approval");
    expect((await agent.report({ services: down })).commands).toEqual([]);

    const [cmd] = (await waiting(t)).filter((c) => c.action === "emergency_shutdown");
    expect(cmd).toMatchObject({ approval: "second", requestedBy: "test admin", requestedByYou: true });
    const refused = await expectError(await approve(t.admin, cmd.id), 403, "FORBIDDEN");
    expect(refused.message).toMatch(/second person's approval.*test admin/);
    // approving through /recover is the same approval, refused the same way
    await expectError(await recover(t.admin, issue.id, "emergency_shutdown"), 403, "FORBIDDEN");

    const other = await operator(t);
    expect((await waiting(t, other))[0].requestedByYou).toBe(false);
    const approved = await json<CommandView>(`/api/v1/commands/${cmd.id}/approve`, {
      token: other,
      body: {},
    });
    expect(approved).toMatchObject({ status: "pending", approvedBy: "second operator" });
    const next = await agent.report({ services: down });
    expect(next.commands.map((c) => c.action)).toEqual(["emergency_shutdown"]);
  });

  it("refuses emergency_shutdown on every path while recovery.emergency_shutdown is false", async () => {
    const { t, agent, issue } = await withIssue({ recovery: { auto_recovery: false } });
    // queued (awaiting) while allowed, then turned off: its approval is refused too
    const queued = (await (await recover(t.admin, issue.id, "emergency_shutdown")).json()) as Queued;
    await t.config({ recovery: { emergency_shutdown: false } });
    const other = await operator(t);
    const late = await expectError(await approve(other, queued.commandId), 409, "CONFLICT");
    expect(late.message).toMatch(/recovery\.emergency_shutdown is false/);
    await expectError(await recover(t.admin, issue.id, "emergency_shutdown"), 409, "CONFLICT");
    await expectError(
      await call(`/api/v1/hosts/${agent.hostId}/actions`, {
        token: t.admin,
        body: { action: "emergency_shutdown", reason: "disk failing" },
      }),
      409,
      "CONFLICT",
    );
  });

  it("escalates with the reason when a rule's next action is an emergency_shutdown that is turned off", async () => {
    const { t, first, issue } = await withIssue(
      { recovery: { emergency_shutdown: false } },
      { actions: ["emergency_shutdown"] },
    );
    expect(first.commands).toEqual([]);
    const detail = await t.issue(issue.id);
    expect(detail.status).toBe("escalated");
    expect(JSON.stringify(detail)).toMatch(
      /emergency_shutdown is turned off \(recovery\.emergency_shutdown is false\)/,
    );
    expect(await waiting(t)).toEqual([]);
  });

  it("asks the same approval of rules, /recover, host actions and action webhooks", async () => {
    const policy = { recovery: { require_confirmation: { actions: ["restart_service", "webhook:scale"] } } };
    // rules: the planner
    const planned = await withIssue(policy);
    expect(planned.first.commands).toEqual([]);
    expect(planned.issue.status).toBe("awaiting_approval");
    // /recover: a person asking is not the approval itself
    const manual = await withIssue({ ...policy, recovery: { ...policy.recovery, auto_recovery: false } });
    await json("/api/v1/commands/" + (await waiting(manual.t))[0].id + "/reject", {
      token: manual.t.admin,
      body: { reason: "by hand instead" },
    });
    const asked = (await (
      await recover(manual.t.admin, manual.issue.id, "restart_service")
    ).json()) as Queued;
    expect(asked.status).toBe("awaiting_approval");
    // an action webhook queued by /recover
    const hook = (await (await recover(manual.t.admin, manual.issue.id, "webhook:scale")).json()) as Queued;
    expect(hook).toMatchObject({ action: "webhook:scale", status: "awaiting_approval" });
    // host actions
    const queued = await json<{ commandStatus: string }>(
      `/api/v1/hosts/${manual.agent.hostId}/actions`,
      { token: manual.t.admin, body: { action: "restart_service", target: "nginx", reason: "stuck" } },
      202,
    );
    expect(queued.commandStatus).toBe("awaiting_approval");
    // one approval by anyone: the requester's own is fine when no second person is asked for
    const mine = (await waiting(manual.t)).find((c) => c.action === "webhook:scale");
    expect(mine).toMatchObject({ approval: "any", requestedByYou: true });
    expect((await approve(manual.t.admin, String(mine?.id))).status).toBe(200);
  });

  it("asks a second person for what recovery.second_approval names, and lets one approve when it names nothing", async () => {
    const strict = await withIssue({ recovery: { second_approval: { rules: ["service_down"] } } });
    const cmd = (await waiting(strict.t)).find((c) => c.action === "restart_service");
    // queued by the engine: nobody asked, so any operator is the second person
    expect(cmd).toMatchObject({ approval: "second", requestedBy: null });
    await json("/api/v1/commands/" + cmd?.id + "/reject", { token: strict.t.admin, body: {} });
    const mine = (await (await recover(strict.t.admin, strict.issue.id, "restart_service")).json()) as Queued;
    await expectError(await approve(strict.t.admin, mine.commandId), 403, "FORBIDDEN");

    const relaxed = await withIssue({ recovery: { auto_recovery: false, second_approval: false } });
    const shut = (await (
      await recover(relaxed.t.admin, relaxed.issue.id, "emergency_shutdown")
    ).json()) as Queued;
    expect(shut.status).toBe("awaiting_approval"); // emergency_shutdown always waits for someone
    expect((await approve(relaxed.t.admin, shut.commandId)).status).toBe(200);
  });

  it("names the field of a bad second_approval policy", async () => {
    const t = await newTenant();
    const res = await call("/api/healing/config", {
      token: t.admin,
      body: { recovery: { second_approval: { actions: "emergency_shutdown" } } },
    });
    const body = await expectError(res, 400, "BAD_REQUEST");
    expect(body.issues?.map((i) => i.path)).toContain("recovery.second_approval");
  });

  it("tells the agent it may restart alone only when the policy asks no approval for it", async () => {
    const cases: [unknown, unknown, string[]][] = [
      [null, null, ["restart_service"]],
      [{ recovery: { require_confirmation: true } }, null, []],
      [{ recovery: { require_confirmation: { actions: ["restart_service"] } } }, null, []],
      [{ recovery: { auto_recovery: false } }, null, []],
      [{ enabled: false }, null, []],
      [null, { requireConfirmation: true }, []],
      [{ recovery: { second_approval: { actions: ["restart_service"] } } }, null, []],
      [{ profile: "production" }, null, ["restart_service"]],
    ];
    for (const [config, rule, unattended] of cases) {
      const t = await newTenant();
      if (config) await t.config(config);
      if (rule) await json("/api/v1/rules/service_down", { method: "PATCH", token: t.admin, body: rule });
      const agent = await t.enroll();
      const { settings } = await agent.report();
      expect(settings.unattended, JSON.stringify([config, rule])).toEqual(unattended);
    }
  });
});
