/**
 * GET /api/v1/learning: what recovery has learned per (rule, action), the numbers the planner
 * orders actions by (./action-order.ts). Success means verified: the action ran and the
 * condition then cleared. Time to recover: from the attempt's start to the issue's resolution.
 */
import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { issues, recoveryHistory } from "../../db/schema";
import { MIN_ATTEMPTS, successProbability } from "./action-order";
import { learnedQuery } from "./guardrails";

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export async function learning(db: Db, orgId: string) {
  const [stats, recoveries] = await db.batch([
    learnedQuery(db, orgId),
    db
      .select({
        ruleId: issues.ruleId,
        action: recoveryHistory.action,
        startedAt: recoveryHistory.startedAt,
        resolvedAt: issues.resolvedAt,
      })
      .from(recoveryHistory)
      .innerJoin(issues, eq(issues.id, recoveryHistory.issueId))
      .where(
        and(
          eq(recoveryHistory.orgId, orgId),
          eq(recoveryHistory.verified, true),
          isNotNull(issues.resolvedAt),
        ),
      )
      .limit(5000),
  ]);
  const seconds = new Map<string, number[]>();
  for (const r of recoveries) {
    const key = `${r.ruleId}|${r.action}`;
    seconds.set(key, [...(seconds.get(key) ?? []), Math.max(0, ((r.resolvedAt ?? 0) - r.startedAt) / 1000)]);
  }
  return stats
    .map((s) => {
      const ttr = median(seconds.get(`${s.ruleId}|${s.action}`) ?? []);
      return {
        rule: s.ruleId,
        action: s.action,
        attempts: s.attempts,
        succeeded: Number(s.succeeded),
        successRate: round(Number(s.succeeded) / s.attempts, 3),
        /** Laplace-smoothed; what the planner ranks by once attempts >= minAttempts. */
        successProbability: round(successProbability(Number(s.succeeded), s.attempts), 3),
        minAttempts: MIN_ATTEMPTS,
        medianSecondsToRecover: ttr === null ? null : round(ttr, 1),
      };
    })
    .sort((a, b) => a.rule.localeCompare(b.rule) || b.successProbability - a.successProbability);
}

/** GET /api/healing/metrics `byRule`: MTTR and the auto-recovery rate of each rule's issues. */
export async function metricsByRule(db: Db, orgId: string) {
  const [resolved, auto] = await db.batch([
    db
      .select({ ruleId: issues.ruleId, mttr: issues.mttrSeconds })
      .from(issues)
      .where(and(eq(issues.orgId, orgId), eq(issues.status, "resolved"), isNotNull(issues.mttrSeconds)))
      .limit(10_000),
    db
      .select({
        ruleId: issues.ruleId,
        attempted: sql<number>`count(DISTINCT ${recoveryHistory.issueId})`,
        healed: sql<number>`count(DISTINCT CASE WHEN ${recoveryHistory.verified} THEN ${recoveryHistory.issueId} END)`,
      })
      .from(recoveryHistory)
      .innerJoin(issues, eq(issues.id, recoveryHistory.issueId))
      .where(and(eq(recoveryHistory.orgId, orgId), eq(recoveryHistory.trigger, "auto")))
      .groupBy(issues.ruleId),
  ]);
  const out: Record<
    string,
    {
      issues: number;
      mttrSeconds: { mean: number | null; p50: number | null };
      autoRecoveryRate: number | null;
    }
  > = {};
  const mttrs = new Map<string, number[]>();
  for (const r of resolved) mttrs.set(r.ruleId, [...(mttrs.get(r.ruleId) ?? []), r.mttr ?? 0]);
  for (const [ruleId, values] of mttrs) {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    out[ruleId] = {
      issues: values.length,
      mttrSeconds: { mean: round(mean, 1), p50: median(values) },
      autoRecoveryRate: null,
    };
  }
  for (const a of auto) {
    out[a.ruleId] ??= { issues: 0, mttrSeconds: { mean: null, p50: null }, autoRecoveryRate: null };
    out[a.ruleId].autoRecoveryRate = a.attempted ? round(Number(a.healed) / Number(a.attempted), 3) : null;
  }
  return out;
}
