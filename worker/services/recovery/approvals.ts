/**
 * Commands that wait for a human: list, approve, reject, expire.
 * - approve: the command becomes pending (the agent gets it on its next report), the issue
 *   recovering; refused (403) to the token that asked for it when it needs a second person, and
 *   (409) when the safeguards now refuse its action (safeguards.ts);
 * - reject: the command becomes rejected, its attempt `refused` with the reason, and the issue
 *   escalated: a human said no, so nothing automatic runs again until a human acts
 *   (POST /api/healing/recover);
 * - expiry (the sweep, after APPROVAL_TTL_MS): the command expired, its attempt timed_out, the
 *   issue escalated for the same reason.
 */
import { and, desc, eq, inArray, lte, ne } from "drizzle-orm";
import { type Db, runBatch, type Statement } from "../../db/client";
import { type CommandStatus, commands, hosts, issues, recoveryHistory } from "../../db/schema";
import type { Principal } from "../../env";
import { conflict, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { getConfig } from "../config/healing-config";
import { notifyStatement } from "../notify/outbox";
import { audit } from "../tenancy/audit";
import { isEdgeAction } from "./action-webhooks/run";
import { COMMAND_TTL_MS, type CommandRow } from "./queue";
import { assertMayApprove, refusal, requesterOf } from "./safeguards";

export function commandView(row: CommandRow, host: string | null, viewer?: Principal) {
  return {
    id: row.id,
    hostId: row.hostId,
    host,
    issueId: row.issueId,
    action: row.action,
    target: row.target,
    status: row.status,
    trigger: row.trigger,
    createdAt: iso(row.createdAt),
    expiresAt: iso(row.expiresAt),
    finishedAt: row.finishedAt === null ? null : iso(row.finishedAt),
    output: row.output,
    approval: row.approval,
    requestedBy: row.requesterName,
    requestedByYou: viewer !== undefined && row.requestedBy === requesterOf(viewer).id,
    approvedBy: row.approvedBy,
  };
}

export async function listCommands(
  db: Db,
  viewer: Principal,
  query: { status?: CommandStatus; limit: number },
) {
  const { orgId } = viewer;
  const where = and(eq(commands.orgId, orgId), query.status ? eq(commands.status, query.status) : undefined);
  const rows = await db
    .select({ c: commands, host: hosts.name })
    .from(commands)
    .leftJoin(hosts, eq(hosts.id, commands.hostId))
    .where(where)
    .orderBy(desc(commands.createdAt))
    .limit(query.limit);
  return rows.map((r) => commandView(r.c, r.host, viewer));
}

async function awaitingCommand(db: Db, orgId: string, id: string): Promise<CommandRow> {
  const [row] = await db
    .select()
    .from(commands)
    .where(and(eq(commands.id, id), eq(commands.orgId, orgId)));
  if (!row) throw notFound("command");
  if (row.status !== "awaiting_approval")
    throw conflict(`the command is ${row.status}, not awaiting_approval`);
  if (row.expiresAt <= Date.now()) throw conflict("the approval window has passed: the command expired");
  return row;
}

/** The safeguards at approval time: a second person where asked, and an action still allowed. */
async function assertApprovable(db: Db, row: CommandRow, approver: Principal) {
  assertMayApprove(row, approver);
  const refused = refusal((await getConfig(db, row.orgId)).recovery, row.action);
  if (refused !== null) throw conflict(refused);
}

const stillAwaiting = (orgId: string, id: string) =>
  and(eq(commands.id, id), eq(commands.orgId, orgId), eq(commands.status, "awaiting_approval"));

/** Statements that approve a waiting command (also used by the manual recover path). */
export function approveStatements(db: Db, row: CommandRow, now: number, approvedBy: string): Statement[] {
  const { orgId, id, issueId, action } = row;
  const statements: Statement[] = [
    db
      .update(commands)
      .set(
        isEdgeAction(row.action)
          ? { status: "delivered", deliveredAt: now, expiresAt: now + COMMAND_TTL_MS, approvedBy }
          : { status: "pending", expiresAt: now + COMMAND_TTL_MS, approvedBy },
      )
      .where(stillAwaiting(orgId, id)),
  ];
  if (issueId) {
    statements.push(
      db
        .update(issues)
        .set({ status: "recovering", updatedAt: now })
        .where(and(eq(issues.id, issueId), eq(issues.orgId, orgId), ne(issues.status, "resolved"))),
      notifyStatement(db, {
        ...{ orgId, issueId, event: "recovery_started", now, commandId: id },
        detail: { action, trigger: "approved" },
      }),
    );
  }
  return statements;
}

export async function approveCommand(db: Db, approver: Principal, id: string) {
  const { orgId } = approver;
  const row = await awaitingCommand(db, orgId, id);
  await assertApprovable(db, row, approver);
  const now = Date.now();
  const record = audit(db, orgId, "command.approve", id, `approved ${row.action} ${row.target ?? ""}`.trim());
  const [moved] = await runBatch(db, [...approveStatements(db, row, now, approver.name), record]);
  const approved = { ...row, status: "pending" as const, expiresAt: now + COMMAND_TTL_MS };
  const command = handedOnApproval(approved, moved.meta.changes);
  return { ...commandView({ ...approved, approvedBy: approver.name }, null, approver), command };
}

/**
 * The row as approved, for the wake-up to hand to the host's object (never in the answer); none
 * when the approval moved nothing (another request decided it first) or the Worker runs it (an
 * edge action).
 */
function handedOnApproval(approved: CommandRow, changes: number): CommandRow | null {
  return changes === 1 && !isEdgeAction(approved.action) ? approved : null;
}

/** Statements that refuse a waiting command and escalate its issue. */
export function rejectStatements(
  db: Db,
  row: CommandRow,
  reason: string,
  now: number,
  escalateIssue = true,
): Statement[] {
  const { orgId, id, issueId } = row;
  const output = `rejected: ${reason}`;
  const statements: Statement[] = [
    db.update(commands).set({ status: "rejected", finishedAt: now, output }).where(stillAwaiting(orgId, id)),
    db
      .update(recoveryHistory)
      .set({ status: "refused", finishedAt: now, output })
      .where(
        and(
          eq(recoveryHistory.commandId, id),
          eq(recoveryHistory.orgId, orgId),
          eq(recoveryHistory.status, "pending"),
        ),
      ),
  ];
  if (issueId && escalateIssue) statements.push(...escalate(db, orgId, [issueId], now));
  return statements;
}

export async function rejectCommand(db: Db, viewer: Principal, id: string, reason: string) {
  const { orgId } = viewer;
  const row = await awaitingCommand(db, orgId, id);
  const now = Date.now();
  const record = audit(db, orgId, "command.reject", id, `rejected ${row.action}: ${reason}`);
  await runBatch(db, [...rejectStatements(db, row, reason, now), record]);
  const rejected = { ...row, status: "rejected" as const, finishedAt: now, output: `rejected: ${reason}` };
  return commandView(rejected, null, viewer);
}

function escalate(db: Db, orgId: string, issueIds: string[], now: number): Statement[] {
  return [
    db
      .update(issues)
      .set({ status: "escalated", escalatedAt: now, updatedAt: now })
      .where(and(inArray(issues.id, issueIds), eq(issues.orgId, orgId), ne(issues.status, "resolved"))),
    ...issueIds.map((issueId) => notifyStatement(db, { orgId, issueId, event: "escalated", now })),
  ];
}

/** The sweep: waiting commands past their approval window expire (every org: a system job); returns their hosts. */
export async function expireApprovals(db: Db, now: number): Promise<string[]> {
  const stale = await db
    .select({ id: commands.id, orgId: commands.orgId, issueId: commands.issueId, hostId: commands.hostId })
    .from(commands)
    .where(and(eq(commands.status, "awaiting_approval"), lte(commands.expiresAt, now)))
    .limit(90);
  if (stale.length === 0) return [];
  const ids = stale.map((s) => s.id);
  const statements: Statement[] = [
    db
      .update(recoveryHistory)
      .set({ status: "timed_out", finishedAt: now, output: "approval expired" })
      .where(and(inArray(recoveryHistory.commandId, ids), eq(recoveryHistory.status, "pending"))),
    db
      .update(commands)
      .set({ status: "expired", finishedAt: now, output: "approval expired" })
      .where(and(inArray(commands.id, ids), eq(commands.status, "awaiting_approval"))),
  ];
  for (const s of stale) if (s.issueId) statements.push(...escalate(db, s.orgId, [s.issueId], now));
  await runBatch(db, statements);
  return stale.map((s) => s.hostId);
}

/**
 * The manual path (POST /api/healing/recover): approves this issue's waiting command when it is
 * for the requested action or "auto" (null) (the attempt becomes a manual one: a human started it); a waiting
 * command for another action is rejected in favour of the one requested. Null: queue anew.
 */
export async function waitingFor(db: Db, approver: Principal, issueId: string, action: string | null) {
  const { orgId } = approver;
  const [row] = await db
    .select()
    .from(commands)
    .where(
      and(eq(commands.orgId, orgId), eq(commands.issueId, issueId), eq(commands.status, "awaiting_approval")),
    );
  if (!row) return null;
  const now = Date.now();
  if (action !== null && row.action !== action) {
    await runBatch(db, rejectStatements(db, row, `superseded by a manual ${action}`, now, false));
    return null;
  }
  await assertApprovable(db, row, approver);
  const manual = [
    db.update(commands).set({ trigger: "manual" }).where(eq(commands.id, row.id)),
    db.update(recoveryHistory).set({ trigger: "manual" }).where(eq(recoveryHistory.commandId, row.id)),
  ];
  const moved = await runBatch(db, [...manual, ...approveStatements(db, row, now, approver.name)]);
  const approved = {
    ...row,
    trigger: "manual" as const,
    status: "pending" as const,
    expiresAt: now + COMMAND_TTL_MS,
  };
  const command = handedOnApproval(approved, moved[manual.length].meta.changes);
  return { commandId: row.id, action: row.action, target: row.target, command };
}
