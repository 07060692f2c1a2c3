/**
 * GET /api/healing/metrics: MTTR and recovery effectiveness for one org.
 *
 * autoRecoveryRate = issues whose resolution was verified after an automatic attempt (an auto
 * history row marked verified: it succeeded and the condition then cleared) / issues that had at
 * least one automatic attempt. Null when no issue has had an automatic attempt yet.
 */
import { and, count, eq, isNotNull, ne, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { issues, recoveryHistory } from "../../db/schema";
import { responseTargetsOf, responseTargetsQuery } from "../issues/response-targets";
import { saneHistory } from "../issues/stored-rows";
import { metricsByRule } from "../recovery/learning";
import { availability } from "./uptime";

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export async function healingMetrics(db: Db, orgId: string) {
  const [mttrRows, issueRows, historyRows, autoRows, targetRows] = await db.batch([
    db
      .select({ mttr: issues.mttrSeconds })
      .from(issues)
      // Operator issues (host actions) time an action someone asked for, not a recovery.
      .where(
        and(
          eq(issues.orgId, orgId),
          eq(issues.status, "resolved"),
          isNotNull(issues.mttrSeconds),
          eq(issues.source, "engine"),
        ),
      )
      .orderBy(issues.mttrSeconds),
    db
      .select({ status: issues.status, severity: issues.severity, source: issues.source, n: count() })
      .from(issues)
      .where(eq(issues.orgId, orgId))
      .groupBy(issues.status, issues.severity, issues.source),
    db
      .select({ action: recoveryHistory.action, status: recoveryHistory.status, n: count() })
      .from(recoveryHistory)
      .where(and(eq(recoveryHistory.orgId, orgId), saneHistory))
      .groupBy(recoveryHistory.action, recoveryHistory.status),
    db
      .select({
        attempted: sql<number>`count(DISTINCT ${recoveryHistory.issueId})`,
        healed: sql<number>`count(DISTINCT CASE WHEN ${recoveryHistory.verified} THEN ${recoveryHistory.issueId} END)`,
      })
      .from(recoveryHistory)
      // an action the agent refused never ran: not an attempt at healing
      .where(
        and(
          eq(recoveryHistory.orgId, orgId),
          eq(recoveryHistory.trigger, "auto"),
          ne(recoveryHistory.status, "refused"),
        ),
      ),
    responseTargetsQuery(db, orgId, Date.now()),
  ]);

  const mttr = mttrRows.map((r) => r.mttr as number);
  const mean = mttr.length ? round1(mttr.reduce((a, b) => a + b, 0) / mttr.length) : null;
  const bySeverity = { critical: 0, high: 0, medium: 0, low: 0 };
  const byStatus = { open: 0, recovering: 0, awaiting_approval: 0, resolved: 0, escalated: 0 };
  // The engine's own issues: what "issues resolved" counts (not operator actions or protocols).
  const engineIssues = { total: 0, resolved: 0, escalated: 0 };
  for (const r of issueRows) {
    bySeverity[r.severity] += r.n;
    byStatus[r.status] += r.n;
    if (r.source !== "engine") continue;
    engineIssues.total += r.n;
    if (r.status === "resolved") engineIssues.resolved += r.n;
    if (r.status === "escalated") engineIssues.escalated += r.n;
  }
  const recoveries = { total: 0, succeeded: 0, failed: 0, refused: 0, timedOut: 0 };
  const byAction: Record<string, { total: number; succeeded: number; failed: number }> = {};
  for (const r of historyRows) {
    recoveries.total += r.n;
    if (r.status !== "pending") recoveries[r.status === "timed_out" ? "timedOut" : r.status] += r.n;
    byAction[r.action] ??= { total: 0, succeeded: 0, failed: 0 };
    byAction[r.action].total += r.n;
    if (r.status === "succeeded") byAction[r.action].succeeded += r.n;
    // Anything that did not succeed counts against the action: failed, refused, timed out.
    else if (r.status !== "pending") byAction[r.action].failed += r.n;
  }
  const attempted = Number(autoRows[0]?.attempted ?? 0);
  return {
    mttrSeconds: { mean, p50: percentile(mttr, 50), p95: percentile(mttr, 95) },
    autoRecoveryRate: attempted ? Number(autoRows[0]?.healed ?? 0) / attempted : null,
    // the rate's terms: issues with an automatic attempt, and those an automatic attempt healed
    autoRecovery: { attempted, healed: Number(autoRows[0]?.healed ?? 0) },
    engineIssues,
    issues: {
      total: issueRows.reduce((a, r) => a + r.n, 0),
      // "open" counts every issue still in progress: open, recovering or awaiting approval.
      open: byStatus.open + byStatus.recovering + byStatus.awaiting_approval,
      resolved: byStatus.resolved,
      escalated: byStatus.escalated,
      bySeverity,
    },
    recoveries: { ...recoveries, byAction },
    // Per rule: resolved issues, their MTTR, and the auto-recovery rate.
    byRule: await metricsByRule(db, orgId),
    // Issues past their response-time target (breached) or resolved within it (met).
    responseTargets: responseTargetsOf(targetRows),
    // Per host, per service and for the fleet over 24 h, 7 d and 30 d (./uptime.ts).
    availability: await availability(db, orgId, Date.now()),
  };
}
