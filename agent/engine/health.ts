import type { EngineService, HealthStatus, Metrics, Severity } from "./types";

/**
 * The seed's health score, 0-100: the mean of CPU, memory and disk headroom and a service score
 * (100 when every service is up, else 50). Null when there is no sample to score.
 */
export function healthScore(metrics: Metrics | undefined | null, services: EngineService[]): number | null {
  if (!metrics) return null;
  const headroom = (v: number | undefined) => 100 - Math.min(100, Math.max(0, v ?? 0));
  const serviceScore = services.every((s) => s.status !== "down" || s.stopped) ? 100 : 50;
  const score =
    (headroom(metrics.cpu) + headroom(metrics.memory) + headroom(metrics.disk) + serviceScore) / 4;
  return Math.round(score * 10) / 10;
}

// A score this low means resources are nearly gone even before any rule has held long enough.
const CRITICAL_BELOW = 40;
const DEGRADED_BELOW = 70;

/** Overall status from the score and the severities of the open issues (low issues alone stay healthy). */
export function healthStatus(score: number | null, openSeverities: Severity[]): HealthStatus {
  if (openSeverities.includes("critical") || (score !== null && score < CRITICAL_BELOW)) return "critical";
  const degrading = openSeverities.some((s) => s === "high" || s === "medium");
  if (degrading || (score !== null && score < DEGRADED_BELOW)) return "degraded";
  return "healthy";
}
