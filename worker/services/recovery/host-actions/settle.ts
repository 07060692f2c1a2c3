/**
 * Operator issues (run.ts) follow their command, not the engine: once the latest attempt has an
 * outcome, a success resolves the issue and anything else (failed, refused, timed out) escalates
 * it to a person. Reports settle their own host's (this report's results included: applyResults
 * updates ctx.attempts first); the cron settles those whose host went quiet and whose command the
 * sweep timed out. Rejected and expired approvals are escalated by approvals.ts already.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { type Db, runBatch, type Statement } from "../../../db/client";
import { issues, recoveryHistory } from "../../../db/schema";
import type { AttemptRow, IssueRow, ReportContext } from "../../ingest/report/load";
import { notifyStatement } from "../../notify/outbox";

export const engineOwned = (issue: Pick<IssueRow, "source">) => issue.source !== "operator";

type Attempt = Pick<AttemptRow, "issueId" | "status">;

function settle(db: Db, orgId: string, open: IssueRow[], attempts: Attempt[], now: number): Statement[] {
  const statements: Statement[] = [];
  for (const issue of open) {
    if (engineOwned(issue) || issue.status === "escalated" || issue.status === "resolved") continue;
    const last = attempts.filter((a) => a.issueId === issue.id).at(-1);
    if (!last || last.status === "pending") continue;
    // Guarded by the status read, so a concurrent approval, retry or rejection wins.
    const unchanged = and(eq(issues.id, issue.id), eq(issues.orgId, orgId), eq(issues.status, issue.status));
    if (last.status === "succeeded") {
      const mttrSeconds = Math.round((now - issue.detectedAt) / 100) / 10;
      statements.push(
        db
          .update(issues)
          .set({ status: "resolved", resolvedAt: now, mttrSeconds, updatedAt: now, recoveryHold: null })
          .where(unchanged),
        notifyStatement(db, { orgId, issueId: issue.id, event: "resolved", now }),
      );
    } else {
      const hold = `operator action ${last.status}: a person's turn`;
      statements.push(
        db
          .update(issues)
          .set({ status: "escalated", escalatedAt: now, updatedAt: now, recoveryHold: hold })
          .where(unchanged),
        notifyStatement(db, { orgId, issueId: issue.id, event: "escalated", now }),
      );
    }
  }
  return statements;
}

/** In a report: statements for this host's operator issues. */
export const settleOperatorIssues = (db: Db, ctx: ReportContext, now: number) =>
  settle(db, ctx.orgId, ctx.issues, ctx.attempts, now);

/** The cron, after the command sweep: operator issues still "recovering" whose attempt is over; returns their hosts. */
export async function settleQuietOperatorIssues(db: Db, now: number): Promise<string[]> {
  const open = await db
    .select()
    .from(issues)
    .where(and(eq(issues.source, "operator"), eq(issues.status, "recovering")))
    .limit(90);
  if (open.length === 0) return [];
  const attempts = await db
    .select({ issueId: recoveryHistory.issueId, status: recoveryHistory.status })
    .from(recoveryHistory)
    .where(
      inArray(
        recoveryHistory.issueId,
        open.map((i) => i.id),
      ),
    )
    .orderBy(asc(recoveryHistory.startedAt), asc(sql`${recoveryHistory}.rowid`));
  const statements = [...new Set(open.map((i) => i.orgId))].flatMap((orgId) =>
    settle(
      db,
      orgId,
      open.filter((i) => i.orgId === orgId),
      attempts,
      now,
    ),
  );
  await runBatch(db, statements);
  return statements.length > 0 ? open.map((i) => i.hostId) : [];
}
