/**
 * Diagnostics on the issues a report leaves open: flapping, correlation into incidents, and the
 * rule's condition captured at opening. Only an incident's probable cause gets automatic
 * recovery: a symptom (swap pressure next to a leaking process, a failing port check next to its
 * service down) usually clears once the cause is fixed, and acting on every symptom at once would
 * run several remedies for one problem. A flapping issue gets none until the engine says it has
 * settled.
 */
import { correlate, type Finding, ownTarget, type Rule } from "../../../../agent/engine";
import { conditionOf } from "../../issues/explain";
import type { IssueRow } from "./load";

const keyOf = (ruleId: string, target: string) => `${ruleId}|${target}`;

/** Sets flapping, incidentKey, cause (and, once, the rule's kind and condition) in place. */
export function annotateIssues(open: IssueRow[], active: Finding[], rules: Rule[]) {
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  const findingByKey = new Map(active.map((f) => [keyOf(f.ruleId, f.target), f]));
  const incidentOf = new Map<string, { key: string; cause: boolean }>();
  for (const incident of correlate(active)) {
    incidentOf.set(incident.key, { key: incident.key, cause: true });
    for (const s of incident.symptoms)
      incidentOf.set(keyOf(s.ruleId, s.target), { key: incident.key, cause: false });
  }
  for (const issue of open) {
    const key = keyOf(issue.ruleId, issue.target);
    const finding = findingByKey.get(key);
    if (!finding) continue;
    issue.flapping = Boolean(finding.flapping);
    const incident = incidentOf.get(key);
    issue.incidentKey = incident?.key ?? key;
    issue.cause = incident?.cause ?? true;
    const rule = ruleById.get(issue.ruleId);
    if (rule && issue.ruleCondition === null) {
      issue.ruleKind = rule.kind;
      issue.ruleCondition = conditionOf(rule);
    }
  }
}

/** The columns annotateIssues may change, for the update of an existing issue. */
export const diagnosticColumns = (i: IssueRow) => ({
  flapping: i.flapping,
  incidentKey: i.incidentKey,
  cause: i.cause,
  ruleKind: i.ruleKind,
  ruleCondition: i.ruleCondition,
  recoveryHold: i.recoveryHold,
});

export function diagnosticsChanged(old: IssueRow, now: IssueRow): boolean {
  const a = diagnosticColumns(old);
  const b = diagnosticColumns(now);
  return (Object.keys(a) as (keyof typeof a)[]).some((k) => a[k] !== b[k]);
}

/** Why the planner leaves an issue alone, or null when it may act. */
export function heldBy(issue: IssueRow): "flapping" | "symptom" | null {
  if (issue.flapping) return "flapping";
  return issue.cause ? null : "symptom";
}

/**
 * A finding on `svc:web.rss` acts on service `web`, one on `config:app.drift` on config `app`
 * (reset_config on drift), one on `check:web.http.status` on service `web` (a check
 * naming its service); anything else on its own target.
 */
export const commandTarget = (target: string): string | null => ownTarget({ target });
