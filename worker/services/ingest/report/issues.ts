/**
 * Turns the engine's findings into issues (open, resolve) and hands the ones still active to the
 * recovery planner: reconcile.ts says what changes, this file builds the statements it implies.
 */
import { and, eq, ne } from "drizzle-orm";
import type { EvaluationResult, Rule } from "../../../../agent/engine";
import type { Db, Statement } from "../../../db/client";
import { issues, recoveryHistory } from "../../../db/schema";
import { eventForStatus, notifyStatement } from "../../notify/outbox";
import { settleOperatorIssues } from "../../recovery/host-actions/settle";
import type { CommandRow } from "../../recovery/queue";
import { annotateIssues, diagnosticColumns, diagnosticsChanged } from "./diagnose";
import type { IssueRow, ReportContext } from "./load";
import { planRecovery } from "./plan";
import { type Reconciled, reconcile } from "./reconcile";

export interface IssuesApplied {
  statements: Statement[];
  queued: CommandRow[];
  /** A webhook: action was queued, for the Worker itself to run. */
  edge: boolean;
  /** Issues this report opened and left open: what fleet correlation looks at. */
  opened: IssueRow[];
}

/** The inserts, updates and outbox events that write a reconciled set of issues. */
function issueStatements(db: Db, ctx: ReportContext, r: Reconciled, now: number): Statement[] {
  const statements: Statement[] = [];
  const before = new Map(ctx.issues.map((i) => [i.id, i]));
  for (const issue of r.working.values()) {
    issue.updatedAt = now;
    const notify = (event: "opened" | NonNullable<ReturnType<typeof eventForStatus>>) =>
      statements.push(notifyStatement(db, { orgId: ctx.orgId, issueId: issue.id, event, now }));
    if (r.created.has(issue.id)) {
      statements.push(db.insert(issues).values(issue).onConflictDoNothing());
      notify("opened");
      const then = eventForStatus(issue.status);
      if (then) notify(then);
      continue;
    }
    const old = before.get(issue.id);
    const diagnosed = old ? diagnosticsChanged(old, issue) : false;
    if (!old || (old.status === issue.status && old.escalatedAt === issue.escalatedAt && !diagnosed))
      continue;
    const changed = old.status !== issue.status ? eventForStatus(issue.status) : null;
    if (changed) notify(changed);
    const { status, resolvedAt, mttrSeconds, escalatedAt, updatedAt, evidence } = issue;
    statements.push(
      db
        .update(issues)
        .set({
          status,
          resolvedAt,
          mttrSeconds,
          escalatedAt,
          updatedAt,
          evidence,
          ...diagnosticColumns(issue),
        })
        .where(and(eq(issues.id, issue.id), eq(issues.orgId, ctx.orgId), ne(issues.status, "resolved"))),
    );
  }
  for (const id of r.verified) {
    statements.push(
      db
        .update(recoveryHistory)
        .set({ verified: true })
        .where(and(eq(recoveryHistory.id, id), eq(recoveryHistory.orgId, ctx.orgId))),
    );
  }
  return statements;
}

export function reconcileIssues(
  db: Db,
  ctx: ReportContext,
  evaluation: EvaluationResult,
  rules: Rule[],
  now: number,
): IssuesApplied {
  const reconciled = reconcile(ctx, evaluation, rules, now);
  annotateIssues(reconciled.recovering, evaluation.active, rules);
  // The planner moves the issues it acts on (recovering, escalated): their statements follow it.
  const plan = planRecovery(db, ctx, reconciled.recovering, now, rules);
  const statements = [...issueStatements(db, ctx, reconciled, now), ...settleOperatorIssues(db, ctx, now)];
  // Commands reference their issue, so they are written after it.
  const opened = [...reconciled.created]
    .flatMap((id) => reconciled.working.get(id) ?? [])
    .filter((i) => i.status !== "resolved");
  return { statements: [...statements, ...plan.statements], queued: plan.queued, edge: plan.edge, opened };
}
