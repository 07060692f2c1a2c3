/**
 * Response-time targets by severity: critical < 1 min, high < 5 min, medium < 1 h,
 * low by the end of the next maintenance window, else within a day (`response_targets`, seconds). Each issue gets its deadline when it opens; one
 * still unresolved at its deadline is a breach, notified once by the scheduled sweep and counted
 * in GET /api/healing/metrics.
 */
import { and, eq, isNotNull, isNull, lte, ne, sql } from "drizzle-orm";
import type { Severity } from "../../../agent/engine";
import { type Db, runBatch } from "../../db/client";
import { issues } from "../../db/schema";
import { SECOND } from "../../lib/time";
import type { HealingConfig } from "../../schemas/config";
import { notifyStatement } from "../notify/outbox";

export const RESPONSE_TARGET_DEFAULTS: Record<Severity, number> = {
  critical: 60,
  high: 300,
  medium: 3600,
  low: 86_400,
};

/** Low: by the end of the next maintenance window covering the issue, when one is planned. */
export function respondByOf(
  config: HealingConfig,
  severity: Severity,
  openedAt: number,
  nextWindowEndsAt?: number,
): number {
  if (severity === "low" && nextWindowEndsAt !== undefined) return nextWindowEndsAt;
  const seconds = config.response_targets?.[severity] ?? RESPONSE_TARGET_DEFAULTS[severity];
  return openedAt + seconds * SECOND;
}

/** Enough per run that a backlog clears in a few runs without one huge batch. */
const SWEEP_LIMIT = 200;

/** Marks issues unresolved past their deadline as breached and queues one deadline_breached event each. */
export async function sweepDeadlines(db: Db, now: number): Promise<number> {
  const due = await db
    .select({ id: issues.id, orgId: issues.orgId, respondBy: issues.respondBy })
    .from(issues)
    .where(and(ne(issues.status, "resolved"), isNull(issues.breachedAt), lte(issues.respondBy, now)))
    .limit(SWEEP_LIMIT);
  if (due.length === 0) return 0;
  const statements = due.flatMap((i) => [
    db
      .update(issues)
      .set({ breachedAt: now })
      .where(and(eq(issues.id, i.id), eq(issues.orgId, i.orgId), isNull(issues.breachedAt))),
    notifyStatement(db, {
      orgId: i.orgId,
      issueId: i.id,
      event: "deadline_breached",
      now,
      detail: { respondBy: new Date(i.respondBy ?? now).toISOString() },
    }),
  ]);
  await runBatch(db, statements);
  return due.length;
}

/** breached: past the deadline unresolved (now or when resolved); met: resolved by it; open within it: neither. */
export function responseTargetsQuery(db: Db, orgId: string, now: number) {
  const late = sql`CASE WHEN coalesce(${issues.resolvedAt}, ${now}) > ${issues.respondBy} THEN 1 ELSE 0 END`;
  const met = sql`CASE WHEN ${issues.resolvedAt} <= ${issues.respondBy} THEN 1 ELSE 0 END`;
  return db
    .select({
      severity: issues.severity,
      breached: sql<number>`coalesce(sum(${late}), 0)`,
      met: sql<number>`coalesce(sum(${met}), 0)`,
    })
    .from(issues)
    .where(and(eq(issues.orgId, orgId), isNotNull(issues.respondBy)))
    .groupBy(issues.severity);
}

type Counts = { breached: number; met: number };

export function responseTargetsOf(rows: { severity: Severity; breached: number; met: number }[]) {
  const bySeverity: Record<Severity, Counts> = {
    critical: { breached: 0, met: 0 },
    high: { breached: 0, met: 0 },
    medium: { breached: 0, met: 0 },
    low: { breached: 0, met: 0 },
  };
  for (const r of rows) bySeverity[r.severity] = { breached: Number(r.breached), met: Number(r.met) };
  const sum = (k: keyof Counts) => Object.values(bySeverity).reduce((a, c) => a + c[k], 0);
  return { breached: sum("breached"), met: sum("met"), bySeverity };
}
