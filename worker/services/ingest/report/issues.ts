/**
 * Turns the engine's findings into issues (open, resolve) and hands the ones still active to the
 * recovery planner. Works on in-memory copies; statements are built once at the end.
 */
import { and, eq, ne } from "drizzle-orm";
import type { EvaluationResult, Finding, Rule } from "../../../../agent/engine";
import type { Db, Statement } from "../../../db/client";
import { issues, recoveryHistory } from "../../../db/schema";
import { newId } from "../../../lib/ids";
import { SECOND } from "../../../lib/time";
import { respondByOf } from "../../issues/response-targets";
import { eventForStatus, notifyStatement } from "../../notify/outbox";
import { logTailEvidence } from "../../recovery/crash-loop";
import { windowFor } from "../../recovery/guardrails";
import { engineOwned, settleOperatorIssues } from "../../recovery/host-actions/settle";
import type { CommandRow } from "../../recovery/queue";
import { checkEvidence } from "./checks";
import { annotateIssues, diagnosticColumns, diagnosticsChanged } from "./diagnose";
import type { IssueRow, ReportContext } from "./load";
import { planRecovery } from "./plan";

const keyOf = (ruleId: string, target: string) => `${ruleId}|${target}`;
const round1 = (n: number) => Math.round(n * 10) / 10;

export interface IssuesApplied {
  statements: Statement[];
  queued: CommandRow[];
  /** A webhook: action was queued, for the Worker itself to run. */
  edge: boolean;
  /** Issues this report opened and left open: what fleet correlation looks at. */
  opened: IssueRow[];
}

function newIssue(ctx: ReportContext, f: Finding, ruleName: string, now: number): IssueRow {
  return {
    id: newId("iss"),
    orgId: ctx.orgId,
    hostId: ctx.host.id,
    ruleId: f.ruleId,
    ruleName,
    target: f.target,
    severity: f.severity,
    status: "open",
    summary: f.summary,
    evidence: {
      ...(f.evidence as unknown as Record<string, unknown>),
      ...checkEvidence(ctx.host.checkOutputs, f.target),
      ...(f.evidence.service ? logTailEvidence(ctx.logTails, f.target) : {}),
    },
    actions: f.actions,
    detectedAt: f.at,
    resolvedAt: null,
    mttrSeconds: null,
    escalatedAt: null,
    updatedAt: now,
    // Filled in by annotateIssues (diagnose.ts).
    flapping: Boolean(f.flapping),
    incidentKey: null,
    cause: true,
    ruleKind: null,
    ruleCondition: null,
    recoveryHold: null,
    respondBy: respondByOf(
      ctx.config,
      f.severity,
      now,
      windowFor(ctx.guard?.upcoming ?? [], ctx.host, f.ruleId)?.endsAt,
    ),
    breachedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    source: "engine",
    fleetIncidentId: null,
  };
}

export function reconcileIssues(
  db: Db,
  ctx: ReportContext,
  evaluation: EvaluationResult,
  rules: Rule[],
  now: number,
): IssuesApplied {
  const ruleNames = new Map(rules.map((r) => [r.id, r.name]));
  // Operator issues (host actions) follow their command, not the engine (host-actions/settle.ts).
  const working = new Map(ctx.issues.filter(engineOwned).map((i) => [i.id, { ...i }]));
  const unresolved = new Map([...working.values()].map((i) => [keyOf(i.ruleId, i.target), i]));
  const created = new Set<string>();
  const verified: string[] = [];

  // Openings and clearances in the order they happened (an opening first on a tie), so a
  // backfill that opens and clears a condition leaves one resolved issue behind.
  type Event = { at: number; ruleId: string; target: string; finding?: Finding };
  const openings: Event[] = evaluation.opened.map((f) => ({
    at: f.at,
    ruleId: f.ruleId,
    target: f.target,
    finding: f,
  }));
  const clearances: Event[] = evaluation.cleared.map((c) => ({
    at: c.at,
    ruleId: c.ruleId,
    target: c.target,
  }));
  const events = [...openings, ...clearances].sort(
    (a, b) => a.at - b.at || Number(!a.finding) - Number(!b.finding),
  );

  const open = (finding: Finding) => {
    const issue = newIssue(ctx, finding, ruleNames.get(finding.ruleId) ?? finding.ruleId, now);
    working.set(issue.id, issue);
    unresolved.set(keyOf(finding.ruleId, finding.target), issue);
    created.add(issue.id);
  };
  const resolve = (key: string, issue: IssueRow, resolvedAt: number) => {
    issue.status = "resolved";
    issue.resolvedAt = resolvedAt;
    issue.mttrSeconds = round1((resolvedAt - issue.detectedAt) / SECOND);
    unresolved.delete(key);
    const succeeded = ctx.attempts.filter((a) => a.issueId === issue.id && a.status === "succeeded");
    if (succeeded.length > 0) verified.push(succeeded[succeeded.length - 1].id);
  };

  for (const event of events) {
    const key = keyOf(event.ruleId, event.target);
    const current = unresolved.get(key);
    if (event.finding && !current) open(event.finding);
    else if (!event.finding && current) {
      // Opened and cleared within one backfill: both ends in the samples' time. Otherwise both
      // detection and resolution use the edge's clock, immune to agent clock skew.
      const resolvedAt = created.has(current.id)
        ? Math.max(current.detectedAt, Math.min(event.at, now))
        : now;
      resolve(key, current, resolvedAt);
    }
  }
  for (const id of created) {
    const issue = working.get(id);
    if (issue && issue.status !== "resolved") issue.detectedAt = now;
  }

  // The issues table follows the engine's active findings, whatever events were seen: if a
  // host's engine state was ever lost (two overlapping reports, a failed write), the next
  // report repairs it instead of leaving an issue open forever or a condition without one.
  const activeByKey = new Map(evaluation.active.map((f) => [keyOf(f.ruleId, f.target), f]));
  for (const [key, issue] of [...unresolved]) if (!activeByKey.has(key)) resolve(key, issue, now);
  for (const [key, finding] of activeByKey) if (!unresolved.has(key)) open({ ...finding, at: now });

  const recovering = [...unresolved.entries()]
    .filter(([key]) => activeByKey.has(key))
    .map(([, issue]) => issue);
  annotateIssues(recovering, evaluation.active, rules);
  const plan = planRecovery(db, ctx, recovering, now, rules);

  const statements: Statement[] = [];
  const before = new Map(ctx.issues.map((i) => [i.id, i]));
  for (const issue of working.values()) {
    issue.updatedAt = now;
    const notify = (event: "opened" | NonNullable<ReturnType<typeof eventForStatus>>) =>
      statements.push(notifyStatement(db, { orgId: ctx.orgId, issueId: issue.id, event, now }));
    if (created.has(issue.id)) {
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
  for (const id of verified) {
    statements.push(
      db
        .update(recoveryHistory)
        .set({ verified: true })
        .where(and(eq(recoveryHistory.id, id), eq(recoveryHistory.orgId, ctx.orgId))),
    );
  }
  statements.push(...settleOperatorIssues(db, ctx, now));
  // Commands reference their issue, so they are written after it.
  const opened = [...created].flatMap((id) => working.get(id) ?? []).filter((i) => i.status !== "resolved");
  return { statements: [...statements, ...plan.statements], queued: plan.queued, edge: plan.edge, opened };
}
