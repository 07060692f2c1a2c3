/**
 * Crash loops: a service that keeps dying right after each restart is not restarted
 * forever. N succeeded restarts of the same host + target within M minutes escalate its next
 * issue instead, with the service's last log lines as evidence (the agent sends them with a down
 * service it started). Defaults: 5 restarts in 10 minutes (`recovery.crash_loop`).
 */
import { and, count, eq, gte, inArray, min, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { guardrailResets, recoveryHistory } from "../../db/schema";
import { humanTime } from "../../lib/time";
import type { HealingConfig } from "../../schemas/config";

export const CRASH_LOOP_DEFAULTS = { restarts: 5, windowSeconds: 600 } as const;
const RESTARTS = ["restart_service", "force_restart"];

export function crashLoopSettings(config: HealingConfig) {
  return { ...CRASH_LOOP_DEFAULTS, ...config.recovery.crash_loop };
}

/**
 * History rows after the latest admin reset of their host and target's guardrails (none: all).
 * The breaker and the crash-loop hold count only these.
 */
export const afterGuardrailReset = sql`${recoveryHistory.startedAt} > coalesce((SELECT ${guardrailResets.resetAt} FROM ${guardrailResets} WHERE ${guardrailResets.hostId} = ${recoveryHistory.hostId} AND ${guardrailResets.target} = coalesce(${recoveryHistory.target}, '')), 0)`;

/** Succeeded restarts on a host since `since` (and since its last reset), per target, with the oldest's time. */
export function restartsQuery(db: Db, orgId: string, hostId: string, since: number) {
  return db
    .select({ target: recoveryHistory.target, n: count(), first: min(recoveryHistory.startedAt) })
    .from(recoveryHistory)
    .where(
      and(
        eq(recoveryHistory.orgId, orgId),
        eq(recoveryHistory.hostId, hostId),
        inArray(recoveryHistory.action, RESTARTS),
        eq(recoveryHistory.status, "succeeded"),
        gte(recoveryHistory.startedAt, since),
        afterGuardrailReset,
      ),
    )
    .groupBy(recoveryHistory.target);
}

/**
 * "crash loop: 5 restarts in 10 min, …" when the next restart of `target` would feed a loop; else
 * null. `firstAt`: the oldest counted restart per target, so the message says when the hold ends.
 */
export function crashLoopHold(
  restarts: Map<string, number>,
  action: string,
  target: string | null,
  settings: { restarts: number; windowSeconds: number },
  firstAt?: Map<string, number>,
): string | null {
  if (!RESTARTS.includes(action)) return null;
  const n = restarts.get(target ?? "") ?? 0;
  if (n < settings.restarts) return null;
  const held = `crash loop: ${n} restarts in ${Math.max(1, Math.round(settings.windowSeconds / 60))} min`;
  const first = firstAt?.get(target ?? "");
  if (first === undefined) return held;
  return `${held}, the first at ${humanTime(first)}; it ends at ${humanTime(first + settings.windowSeconds * 1000)}, or when an admin resets it`;
}

/** `{ logTail }` for an issue on a service whose last output lines the report carried. */
export function logTailEvidence(tails: Map<string, string[]> | undefined, target: string) {
  const tail = tails?.get(target);
  return tail?.length ? { logTail: tail } : {};
}
