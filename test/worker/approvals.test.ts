import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Command } from "../../worker/api-types";
import { createDb, runBatch, type Statement } from "../../worker/db/client";
import { commands } from "../../worker/db/schema";
import worker from "../../worker/index";
import {
  approveStatements,
  expiryStatements,
  rejectStatements,
} from "../../worker/services/recovery/approvals";
import type { CommandRow } from "../../worker/services/recovery/queue";
import {
  call,
  expectError,
  json,
  newTenant,
  type Queued,
  result,
  service,
  sql,
  type Tenant,
} from "./support/harness";

const down = [service("nginx", "down", { detail: "inactive (dead)" })];
const db = () => createDb(env.DB);
const commandRow = async (id: string) => (await db().select().from(commands).where(eq(commands.id, id)))[0];
const events = async (issueId: string) =>
  (await sql("SELECT event FROM notifications WHERE issue_id = ?", issueId)).map((r) => r.event);

const awaiting = async (t: Tenant) =>
  (await json<{ items: Command[] }>("/api/v1/commands?status=awaiting_approval", { token: t.admin })).items;
const patchRule = (t: Tenant, id: string, body: unknown) =>
  json(`/api/v1/rules/${id}`, { method: "PATCH", token: t.admin, body });

/** A host whose nginx is down under `config`: the report's commands and the issue. */
async function downUnder(config: unknown, rulePatch?: unknown) {
  const t = await newTenant();
  if (config) await t.config(config);
  if (rulePatch) await patchRule(t, "service_down", rulePatch);
  const agent = await t.enroll();
  const { commands } = await agent.report({ services: down });
  const [issue] = await t.issues(`?host=${agent.hostId}`);
  return { t, agent, commands, issue };
}

type Late = (read: CommandRow, now: number) => Statement[];

/**
 * A decision that read the command while it waited, written after `first` decided it through the
 * API: whether it moved the command, and the command, issue, attempt and events afterwards.
 */
async function decideLate(first: "approve" | "reject", late: Late) {
  const { t, issue } = await downUnder({ recovery: { require_confirmation: true } });
  const [waiting] = await awaiting(t);
  const read = await commandRow(waiting.id);
  const body = first === "reject" ? { reason: "peak traffic" } : {};
  await json(`/api/v1/commands/${waiting.id}/${first}`, { token: t.admin, body });
  const moved = (await runBatch(db(), late(read, Date.now()))).at(-1)?.meta.changes;
  const detail = await t.issue(issue.id);
  return {
    moved,
    command: await commandRow(waiting.id),
    status: detail.status,
    attempt: detail.history[0],
    events: await events(issue.id),
  };
}

describe("approvals", () => {
  it("creates the command awaiting approval with a pending attempt under the global switch", async () => {
    const { t, commands, issue } = await downUnder({ recovery: { require_confirmation: true } });
    expect(commands).toEqual([]);
    expect(issue.status).toBe("awaiting_approval");
    const [waiting] = await awaiting(t);
    expect(waiting).toMatchObject({
      action: "restart_service",
      issueId: issue.id,
      status: "awaiting_approval",
    });
    const [entry] = await t.history(`?issue=${issue.id}`);
    expect(entry).toMatchObject({ commandId: waiting.id, status: "pending", trigger: "auto" });
  });

  it("asks for approval per severity, per action and per rule, and runs the rest", async () => {
    for (const rc of [
      { severities: ["high"] },
      { actions: ["restart_service"] },
      { rules: ["service_down"] },
    ]) {
      const { commands, issue } = await downUnder({ recovery: { require_confirmation: rc } });
      expect(commands, JSON.stringify(rc)).toEqual([]);
      expect(issue.status).toBe("awaiting_approval");
    }
    for (const rc of [{ severities: ["critical"] }, { actions: ["clear_cache"] }, { rules: ["cpu_high"] }]) {
      const { commands, issue } = await downUnder({ recovery: { require_confirmation: rc } });
      expect(
        commands.map((c) => c.action),
        JSON.stringify(rc),
      ).toEqual(["restart_service"]);
      expect(issue.status).toBe("recovering");
    }
  });

  it("keeps the confirmation document as it was given", async () => {
    const t = await newTenant();
    const rc = { severities: ["critical"], actions: ["reset_config"] };
    const saved = await t.config({ recovery: { require_confirmation: rc } });
    expect(saved.recovery.require_confirmation).toEqual(rc);
    expect((await t.get<{ recovery: unknown }>("/api/healing/config")).recovery).toMatchObject({
      require_confirmation: rc,
    });
    expect(
      (await t.config({ recovery: { require_confirmation: false } })).recovery.require_confirmation,
    ).toBe(false);
  });

  it("asks for approval when the rule itself requires confirmation", async () => {
    const { commands, issue } = await downUnder(null, { requireConfirmation: true });
    expect(commands).toEqual([]);
    expect(issue.status).toBe("awaiting_approval");
  });

  it("always asks before emergency_shutdown, even with confirmation off", async () => {
    const { t, commands, issue } = await downUnder(
      { recovery: { require_confirmation: false } },
      { actions: ["emergency_shutdown"] },
    );
    expect(commands).toEqual([]);
    expect(issue.status).toBe("awaiting_approval");
    expect((await awaiting(t)).map((c) => c.action)).toEqual(["emergency_shutdown"]);
  });

  it("delivers an approved command on the next report and marks the issue recovering", async () => {
    const { t, agent, issue } = await downUnder({ recovery: { require_confirmation: true } });
    const [waiting] = await awaiting(t);
    const approved = await json<Command>(`/api/v1/commands/${waiting.id}/approve`, {
      token: t.admin,
      body: {},
    });
    expect(approved.status).toBe("pending");
    expect((await t.issue(issue.id)).status).toBe("recovering");
    const next = await agent.report({ services: down });
    expect(next.commands.map((c) => c.id)).toEqual([waiting.id]);
    const done = await agent.report({
      services: [service("nginx", "up")],
      results: [result(waiting.id, "succeeded")],
    });
    expect(done.commands).toEqual([]);
    expect((await t.issue(issue.id)).status).toBe("resolved");
    await expectError(
      await call(`/api/v1/commands/${waiting.id}/approve`, { token: t.admin, body: {} }),
      409,
      "CONFLICT",
    );
  });

  it("refuses the attempt with the reason and escalates the issue on rejection", async () => {
    const { t, agent, issue } = await downUnder({ recovery: { require_confirmation: true } });
    const [waiting] = await awaiting(t);
    const body = { reason: "peak traffic" };
    const rejected = await json<Command>(`/api/v1/commands/${waiting.id}/reject`, {
      token: t.admin,
      body,
    });
    expect(rejected).toMatchObject({ status: "rejected", output: "rejected: peak traffic" });
    const detail = await t.issue(issue.id);
    expect(detail.status).toBe("escalated");
    expect(detail.history[0]).toMatchObject({ status: "refused", output: "rejected: peak traffic" });
    // Nothing automatic runs again for it.
    expect((await agent.report({ services: down })).commands).toEqual([]);
    expect(await awaiting(t)).toEqual([]);
  });

  it("writes nothing of an approval read before a rejection that decided first", async () => {
    const late = await decideLate("reject", (read, now) =>
      approveStatements(db(), read, now, "late approver"),
    );
    expect(late).toMatchObject({
      moved: 0,
      command: { status: "rejected", approvedBy: null },
      status: "escalated",
      attempt: { status: "refused" },
    });
    expect(late.events).not.toContain("recovery_started");
  });

  for (const [what, late] of [
    ["a rejection", (read, now) => rejectStatements(db(), read, "too late", now)],
    ["the expiry sweep", (read, now) => expiryStatements(db(), [read], now)],
  ] as const satisfies [string, Late][]) {
    it(`writes nothing of ${what} read before an approval that decided first`, async () => {
      const written = await decideLate("approve", late);
      expect(written).toMatchObject({
        moved: 0,
        command: { status: "pending", output: null },
        status: "recovering",
        attempt: { status: "pending" },
      });
      expect(written.events).not.toContain("escalated");
    });
  }

  it("expires a command nobody approved in time and escalates its issue", async () => {
    const { t, issue } = await downUnder({ recovery: { require_confirmation: true } });
    const [waiting] = await awaiting(t);
    await sql("UPDATE commands SET expires_at = ? WHERE id = ?", Date.now() - 1, waiting.id);
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);
    const [row] = await sql("SELECT status FROM commands WHERE id = ?", waiting.id);
    expect(row.status).toBe("expired");
    const detail = await t.issue(issue.id);
    expect(detail.status).toBe("escalated");
    expect(detail.history[0]).toMatchObject({ status: "timed_out" });
  });

  it("approves the waiting command through POST /api/healing/recover", async () => {
    const { t, agent, issue } = await downUnder({ recovery: { require_confirmation: true } });
    const [waiting] = await awaiting(t);
    const body = { issue_id: issue.id, action: "auto" };
    const queued = await json<Queued>("/api/healing/recover", { token: t.admin, body }, 202);
    expect(queued.commandId).toBe(waiting.id);
    expect((await agent.report({ services: down })).commands.map((c) => c.id)).toEqual([waiting.id]);
  });

  it("lets an operator token approve but not a read token", async () => {
    const { t } = await downUnder({ recovery: { require_confirmation: true } });
    const [waiting] = await awaiting(t);
    const reader = await t.token("read");
    await expectError(
      await call(`/api/v1/commands/${waiting.id}/approve`, { token: reader, body: {} }),
      403,
      "FORBIDDEN",
    );
    const { token: operator } = await json<{ token: string }>(
      "/api/v1/tokens",
      { token: t.admin, body: { scope: "operator", name: "on call" } },
      201,
    );
    const approved = await json<Command>(`/api/v1/commands/${waiting.id}/approve`, {
      token: operator,
      body: {},
    });
    expect(approved.status).toBe("pending");
  });
});
