/**
 * Crash loops: a service that keeps dying right after each restart is not restarted
 * forever. N succeeded restarts of the same host + target within M minutes escalate its next
 * issue instead, with the service's last log lines as evidence (the agent sends them with a down
 * service it started). Defaults: 5 restarts in 10 minutes (`recovery.crash_loop`).
 */
import { and, count, eq, gte, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { recoveryHistory } from "../db/schema";
import type { HealingConfig } from "../schemas/config";

export const CRASH_LOOP_DEFAULTS = { restarts: 5, windowSeconds: 600 } as const;
const RESTARTS = ["restart_service", "force_restart"];

export function crashLoopSettings(config: HealingConfig) {
  return { ...CRASH_LOOP_DEFAULTS, ...config.recovery.crash_loop };
}

/** Succeeded restarts on a host since `since`, per target. */
export function restartsQuery(db: Db, orgId: string, hostId: string, since: number) {
  return db
    .select({ target: recoveryHistory.target, n: count() })
    .from(recoveryHistory)
    .where(
      and(
        eq(recoveryHistory.orgId, orgId),
        eq(recoveryHistory.hostId, hostId),
        inArray(recoveryHistory.action, RESTARTS),
        eq(recoveryHistory.status, "succeeded"),
        gte(recoveryHistory.startedAt, since),
      ),
    )
    .groupBy(recoveryHistory.target);
}

/** "crash loop: 5 restarts in 10 min" when the next restart of `target` would feed a loop; else null. */
export function crashLoopHold(
  restarts: Map<string, number>,
  action: string,
  target: string | null,
  settings: { restarts: number; windowSeconds: number },
): string | null {
  if (!RESTARTS.includes(action)) return null;
  const n = restarts.get(target ?? "") ?? 0;
  if (n < settings.restarts) return null;
  return `crash loop: ${n} restarts in ${Math.max(1, Math.round(settings.windowSeconds / 60))} min`;
}

/** `{ logTail }` for an issue on a service whose last output lines the report carried. */
export function logTailEvidence(tails: Map<string, string[]> | undefined, target: string) {
  const tail = tails?.get(target);
  return tail?.length ? { logTail: tail } : {};
}
