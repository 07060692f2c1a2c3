/** GET /api/healing/status: the fleet at a glance. */
import { type HealthStatus, healthStatus, type Severity } from "../../../agent/engine";
import type { Db } from "../../db/client";
import { isoOrNull } from "../../lib/time";
import type { HostSummary } from "../../schemas/hosts";
import { fleet } from "./hosts";

const RANK = { healthy: 0, degraded: 1, critical: 2 } as const;

export function countBySeverity(severities: Severity[]) {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, total: severities.length };
  for (const s of severities) counts[s] += 1;
  return counts;
}

/**
 * The overall score is the mean of the hosts' scores; the overall status is the worst of the
 * hosts' statuses and of what the open issues alone imply.
 */
export function overall(hosts: HostSummary[], openSeverities: Severity[]) {
  const scores = hosts.map((h) => h.healthScore).filter((s): s is number => s !== null);
  const healthScore = scores.length
    ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10
    : null;
  const statuses = [healthStatus(healthScore, openSeverities), ...hosts.map((h) => h.status)];
  const overallStatus = statuses.reduce<HealthStatus>(
    (worst, s) => (RANK[s] > RANK[worst] ? s : worst),
    "healthy",
  );
  return { healthScore, overallStatus };
}

export async function healingStatus(db: Db, orgId: string) {
  const { config, hosts, openSeverities, healthSeverities, awaitingApproval } = await fleet(db, orgId);
  // awaiting approval is its own state (awaitingApproval), not a severity of the fleet's health
  const { healthScore, overallStatus } = overall(hosts, healthSeverities);
  const lastSeen = Math.max(0, ...hosts.map((h) => (h.lastSeenAt ? Date.parse(h.lastSeenAt) : 0)));
  return {
    enabled: config.enabled,
    overallStatus,
    healthScore,
    openIssues: countBySeverity(openSeverities),
    awaitingApproval,
    lastCheck: isoOrNull(lastSeen || null),
    hosts,
  };
}
