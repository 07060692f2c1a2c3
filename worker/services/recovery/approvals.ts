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
import { and, desc, eq, exists, inArray, lte, ne } from "drizzle-orm";
import { type Db, runBatch, type Statement } from "../../db/client";
import { type CommandStatus, commands, hosts, issues, recoveryHistory } from "../../db/schema";
import type { Principal } from "../../env";
import { conflict, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { getConfig } from "../config/healing-config";
import { notifyIf, notifyStatement } from "../notify/outbox";
import { auditIf } from "../tenancy/audit";
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

/**
 * A decision is read first and written later, so another request (an approval, a rejection, a
 * manual recover) may decide the command in between. Everything a decision writes besides the
 * command itself is guarded by this row still waiting, and goes before the command's own update
 * in the batch (a batch runs alone, in order): when another decision came first, nothing of this
 * one is written, and the command's update, last, reports 0 changes.
 */
const waitingRow = (db: Db, orgId: string, id: string) =>
  db.select({ id: commands.id }).from(commands).where(stillAwaiting(orgId, id));

/** Statements that approve a waiting command (also used by the manual recover path); the command's update is last. */
export function approveStatements(db: Db, row: CommandRow, now: number, approvedBy: string): Statement[] {
  const { orgId, id, issueId, action } = row;
  const waiting = waitingRow(db, orgId, id);
  const statements: Statement[] = [];
  if (issueId) {
    statements.push(
      db
        .update(issues)
        .set({ status: "recovering", updatedAt: now })
        .where(
          and(
            eq(issues.id, issueId),
            eq(issues.orgId, orgId),
            ne(issues.status, "resolved"),
            exists(waiting),
          ),
        ),
      notifyIf(waiting, {
        ...{ orgId, issueId, event: "recovery_started", now, commandId: id },
        detail: { action, trigger: "approved" },
      }),
    );
  }
  statements.push(
    db
      .update(commands)
      .set(
        isEdgeAction(row.action)
          ? { status: "delivered", deliveredAt: now, expiresAt: now + COMMAND_TTL_MS, approvedBy }
          : { status: "pending", expiresAt: now + COMMAND_TTL_MS, approvedBy },
      )
      .where(stillAwaiting(orgId, id)),
  );
  return statements;
}

/** The last result of a decision's batch is the command's own update: did this decision move it? */
function decidedHere(results: D1Result[]): boolean {
  return results[results.length - 1]?.meta.changes === 1;
}

const decidedFirst = () => conflict("another request decided the command first");

export async function approveCommand(db: Db, approver: Principal, id: string) {
  const { orgId } = approver;
  const row = await awaitingCommand(db, orgId, id);
  await assertApprovable(db, row, approver);
  const now = Date.now();
  const summary = `approved ${row.action} ${row.target ?? ""}`.trim();
  const record = auditIf(waitingRow(db, orgId, id), orgId, "command.approve", id, summary);
  if (!decidedHere(await runBatch(db, [record, ...approveStatements(db, row, now, approver.name)])))
    throw decidedFirst();
  const approved = { ...row, status: "pending" as const, expiresAt: now + COMMAND_TTL_MS };
  const command = handedOnApproval(approved);
  return { ...commandView({ ...approved, approvedBy: approver.name }, null, approver), command };
}

/**
 * The row as approved, for the wake-up to hand to the host's object (never in the answer); none
 * when the Worker runs it (an edge action).
 */
function handedOnApproval(approved: CommandRow): CommandRow | null {
  return isEdgeAction(approved.action) ? null : approved;
}

/** Statements that refuse a waiting command and escalate its issue; the command's update is last. */
export function rejectStatements(
  db: Db,
  row: CommandRow,
  reason: string,
  now: number,
  escalateIssue = true,
): Statement[] {
  const { orgId, id, issueId } = row;
  const output = `rejected: ${reason}`;
  const waiting = waitingRow(db, orgId, id);
  const statements: Statement[] = [
    db
      .update(recoveryHistory)
      .set({ status: "refused", finishedAt: now, output })
      .where(
        and(
          eq(recoveryHistory.commandId, id),
          eq(recoveryHistory.orgId, orgId),
          eq(recoveryHistory.status, "pending"),
          exists(waiting),
        ),
      ),
  ];
  if (issueId && escalateIssue) statements.push(...escalate(db, orgId, [issueId], now, waiting));
  statements.push(
    db.update(commands).set({ status: "rejected", finishedAt: now, output }).where(stillAwaiting(orgId, id)),
  );
  return statements;
}

export async function rejectCommand(db: Db, viewer: Principal, id: string, reason: string) {
  const { orgId } = viewer;
  const row = await awaitingCommand(db, orgId, id);
  const now = Date.now();
  const record = auditIf(
    waitingRow(db, orgId, id),
    orgId,
    "command.reject",
    id,
    `rejected ${row.action}: ${reason}`,
  );
  if (!decidedHere(await runBatch(db, [record, ...rejectStatements(db, row, reason, now)])))
    throw decidedFirst();
  const rejected = { ...row, status: "rejected" as const, finishedAt: now, output: `rejected: ${reason}` };
  return commandView(rejected, null, viewer);
}

/** `onlyIf`: a query that must find a row when the batch runs (see `waitingRow`). */
function escalate(db: Db, orgId: string, issueIds: string[], now: number, onlyIf?: Guard): Statement[] {
  const open = and(inArray(issues.id, issueIds), eq(issues.orgId, orgId), ne(issues.status, "resolved"));
  return [
    db
      .update(issues)
      .set({ status: "escalated", escalatedAt: now, updatedAt: now })
      .where(onlyIf ? and(open, exists(onlyIf)) : open),
    ...issueIds.map((issueId) => {
      const event = { orgId, issueId, event: "escalated" as const, now };
      return onlyIf ? notifyIf(onlyIf, event) : notifyStatement(db, event);
    }),
  ];
}

type Guard = ReturnType<typeof waitingRow>;

/** The sweep: waiting commands past their approval window expire (every org: a system job); returns their hosts. */
export async function expireApprovals(db: Db, now: number): Promise<string[]> {
  const stale = await db
    .select({ id: commands.id, orgId: commands.orgId, issueId: commands.issueId, hostId: commands.hostId })
    .from(commands)
    .where(and(eq(commands.status, "awaiting_approval"), lte(commands.expiresAt, now)))
    .limit(90);
  if (stale.length === 0) return [];
  await runBatch(db, expiryStatements(db, stale, now));
  return stale.map((s) => s.hostId);
}

/** Statements that expire the commands the sweep read; the commands' own update is last. */
export function expiryStatements(
  db: Db,
  stale: Pick<CommandRow, "id" | "orgId" | "issueId">[],
  now: number,
): Statement[] {
  const ids = stale.map((s) => s.id);
  // An approval may land between the read and this batch: what follows the expiry is guarded
  // by the command still waiting, and written before the commands' own update.
  const stillWaiting = and(
    eq(commands.id, recoveryHistory.commandId),
    eq(commands.status, "awaiting_approval"),
  );
  const statements: Statement[] = [
    db
      .update(recoveryHistory)
      .set({ status: "timed_out", finishedAt: now, output: "approval expired" })
      .where(
        and(
          inArray(recoveryHistory.commandId, ids),
          eq(recoveryHistory.status, "pending"),
          exists(db.select({ id: commands.id }).from(commands).where(stillWaiting)),
        ),
      ),
  ];
  for (const s of stale)
    if (s.issueId) statements.push(...escalate(db, s.orgId, [s.issueId], now, waitingRow(db, s.orgId, s.id)));
  statements.push(
    db
      .update(commands)
      .set({ status: "expired", finishedAt: now, output: "approval expired" })
      .where(and(inArray(commands.id, ids), eq(commands.status, "awaiting_approval"))),
  );
  return statements;
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
    db.update(commands).set({ trigger: "manual" }).where(stillAwaiting(orgId, row.id)),
    db
      .update(recoveryHistory)
      .set({ trigger: "manual" })
      .where(and(eq(recoveryHistory.commandId, row.id), exists(waitingRow(db, orgId, row.id)))),
  ];
  if (!decidedHere(await runBatch(db, [...manual, ...approveStatements(db, row, now, approver.name)])))
    throw decidedFirst();
  const approved = {
    ...row,
    trigger: "manual" as const,
    status: "pending" as const,
    expiresAt: now + COMMAND_TTL_MS,
  };
  const command = handedOnApproval(approved);
  return { commandId: row.id, action: row.action, target: row.target, command };
}
