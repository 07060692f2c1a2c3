/**
 * What a report changes in its host's issues, worked out on in-memory copies with no database:
 * the engine's openings and clearances replayed in time order, then the issues repaired to match
 * its active findings. report/issues.ts writes the result.
 */
import type { EvaluationResult, Finding, Rule } from "../../../../agent/engine";
import { newId } from "../../../lib/ids";
import { SECOND } from "../../../lib/time";
import { respondByOf } from "../../issues/response-targets";
import { logTailEvidence } from "../../recovery/crash-loop";
import { windowFor } from "../../recovery/guardrails";
import { engineOwned } from "../../recovery/host-actions/settle";
import { checkEvidence } from "./checks";
import type { IssueRow, ReportContext } from "./load";

const keyOf = (ruleId: string, target: string) => `${ruleId}|${target}`;
const round1 = (n: number) => Math.round(n * 10) / 10;

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

/** What a report changes in its host's issues, before any statement is built. */
export interface Reconciled {
  /** Every engine-owned issue of the host, as this report leaves it (copies: the context keeps the stored rows). */
  working: Map<string, IssueRow>;
  /** Issues this report opened (some may be resolved again within the same backfill). */
  created: Set<string>;
  /** History rows of succeeded attempts whose issue then resolved: verified recoveries. */
  verified: string[];
  /** Unresolved issues the engine still finds active: what the recovery planner works on. */
  recovering: IssueRow[];
}

type Event = { at: number; ruleId: string; target: string; finding?: Finding };

/**
 * Openings and clearances in the order they happened (an opening first on a tie), so a
 * backfill that opens and clears a condition leaves one resolved issue behind.
 */
function orderedEvents(evaluation: EvaluationResult): Event[] {
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
  return [...openings, ...clearances].sort((a, b) => a.at - b.at || Number(!a.finding) - Number(!b.finding));
}

/** Pure: replays the engine's events over the host's issues and repairs what they miss. */
export function reconcile(
  ctx: ReportContext,
  evaluation: EvaluationResult,
  rules: Rule[],
  now: number,
): Reconciled {
  const ruleNames = new Map(rules.map((r) => [r.id, r.name]));
  // Operator issues (host actions) follow their command, not the engine (host-actions/settle.ts).
  const working = new Map(ctx.issues.filter(engineOwned).map((i) => [i.id, { ...i }]));
  const unresolved = new Map([...working.values()].map((i) => [keyOf(i.ruleId, i.target), i]));
  const created = new Set<string>();
  const verified: string[] = [];

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

  for (const event of orderedEvents(evaluation)) {
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
  return { working, created, verified, recovering };
}
