/**
 * The outbox side of notifications: statements that record an issue event. Callers add them to
 * the same write batch as the issue change, so an event is stored exactly when the change is.
 */
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Db, RawStatement, Statement } from "../../db/client";
import { commands, notifications, recoveryHistory } from "../../db/schema";
import { randomBase62 } from "../../lib/ids";

export const issueEvents = [
  "opened",
  "recovery_started",
  "recovery_succeeded",
  "recovery_failed",
  "escalated",
  "awaiting_approval",
  "resolved",
  // still unresolved at its response-time target (services/issues/response-targets.ts)
  "deadline_breached",
  // a person acknowledged it (PagerDuty: acknowledge)
  "acknowledged",
] as const;
/** Plus two never written to the outbox: a channel's repeat reminder and a test send. */
export type IssueEvent = (typeof issueEvents)[number] | "reminder" | "test";

export interface EventInput {
  orgId: string;
  issueId: string;
  event: IssueEvent;
  now: number;
  /** Recovery events happen once per command; the others once per issue (or per transition time). */
  commandId?: string | null;
  detail?: Record<string, unknown>;
}

/** The key that makes one event of one issue unique (so a replayed write adds nothing). */
export function eventKey(input: Pick<EventInput, "event" | "commandId" | "now">): string {
  if (input.event === "opened" || input.event === "resolved" || input.event === "acknowledged")
    return input.event;
  if (input.commandId) return `${input.event}:${input.commandId}`;
  return `${input.event}:${input.now}`;
}

/** Outbox inserts, so a write batch can tell whether it produced anything to deliver. */
const outboxWrites = new WeakSet<object>();

export const writesOutbox = (statement: Statement) => outboxWrites.has(statement as object);

const outboxRow = (input: EventInput) => ({
  id: `ntf_${randomBase62(20)}`,
  orgId: input.orgId,
  issueId: input.issueId,
  event: input.event,
  eventKey: eventKey(input),
  detail: input.detail ?? null,
  createdAt: input.now,
  dispatchedAt: null,
});

export function notifyStatement(db: Db, input: EventInput): Statement {
  const statement = db.insert(notifications).values(outboxRow(input)).onConflictDoNothing();
  outboxWrites.add(statement);
  return statement;
}

/**
 * The same event, recorded only if `exists` finds a row when the batch runs: put it before the
 * write it depends on, so an event follows only a change this batch made.
 */
export function notifyIf(
  exists: { toSQL(): { sql: string; params: unknown[] } },
  input: EventInput,
): RawStatement {
  const r = outboxRow(input);
  const guard = exists.toSQL();
  const statement = {
    raw: `INSERT INTO notifications (id, org_id, issue_id, event, event_key, detail, created_at, dispatched_at)
      SELECT ?, ?, ?, ?, ?, ?, ?, NULL WHERE EXISTS (${guard.sql}) ON CONFLICT DO NOTHING`,
    params: [
      r.id,
      r.orgId,
      r.issueId,
      r.event,
      r.eventKey,
      r.detail && JSON.stringify(r.detail),
      r.createdAt,
      ...guard.params,
    ],
  };
  outboxWrites.add(statement);
  return statement;
}

/** The event an issue's status change means (recovering is announced with its command). */
export function eventForStatus(status: string): IssueEvent | null {
  if (status === "escalated" || status === "awaiting_approval" || status === "resolved") return status;
  return null;
}

/**
 * For the command sweep: a recovery_failed event for each pending attempt whose command matches
 * `commandWhere` (timed out or expired). Runs before the attempts are closed, in the same batch.
 */
export function timeoutEvents(db: Db, commandWhere: SQL | undefined, now: number) {
  return db
    .insert(notifications)
    .select(
      db
        .select({
          id: sql<string>`'ntf_' || lower(hex(randomblob(10)))`.as("id"),
          orgId: recoveryHistory.orgId,
          issueId: recoveryHistory.issueId,
          event: sql<string>`'recovery_failed'`.as("event"),
          eventKey: sql<string>`'recovery_failed:' || ${recoveryHistory.commandId}`.as("event_key"),
          detail: sql<string>`json_object('action', ${recoveryHistory.action}, 'status', 'timed_out')`.as(
            "detail",
          ),
          createdAt: sql<number>`${now}`.as("created_at"),
          dispatchedAt: sql<null>`NULL`.as("dispatched_at"),
        })
        .from(recoveryHistory)
        .where(
          and(
            eq(recoveryHistory.status, "pending"),
            inArray(
              recoveryHistory.commandId,
              db.select({ id: commands.id }).from(commands).where(commandWhere),
            ),
          ),
        ),
    )
    .onConflictDoNothing();
}
