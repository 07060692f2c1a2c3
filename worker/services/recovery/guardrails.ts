/**
 * What the recovery planner must know beyond one host's own rows, read in one batch
 * per report: maintenance windows in force, the host's group and which of its hosts already
 * have a recovery in flight (rolling recovery), recent failures per action and target (circuit
 * breaker), and the org's learned success per (rule, action).
 */
import { and, count, eq, gt, gte, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import {
  actionWebhooks,
  commands,
  guardrailResets,
  hosts,
  issues,
  maintenanceWindows,
  recoveryHistory,
} from "../../db/schema";
import { humanTime, MINUTE } from "../../lib/time";
import type { ActionStats } from "./action-order";
import { afterGuardrailReset, CRASH_LOOP_DEFAULTS, restartsQuery } from "./crash-loop";

export type WindowRow = typeof maintenanceWindows.$inferSelect;

/** The breaker: the same action on the same target failing this often in this long stops. */
export const BREAKER_FAILURES = 3;
export const BREAKER_WINDOW_MS = 30 * MINUTE;

export interface Guardrails {
  windows: WindowRow[];
  group: { name: string; size: number; busy: Set<string> } | null;
  /** Failed attempts' command ids in the breaker window, keyed `${action}|${target}`. */
  failures: Map<string, string[]>;
  stats: ActionStats;
  /** When each failure counted by the breaker started (command id → ms). */
  failedAt: Map<string, number>;
  /** Succeeded restarts per target in the crash-loop window (crash-loop.ts). */
  restarts: Map<string, number>;
  /** The oldest of those restarts per target (when the hold ends). */
  restartsFirstAt: Map<string, number>;
  /** An admin's latest reset of this host's guardrails per target: nothing before it counts. */
  resets: Map<string, number>;
  /** Windows not started yet, soonest first: a low issue's response deadline (issues/response-targets.ts). */
  upcoming: WindowRow[];
  /** The org's action webhook names: a rule action of that name (scale_resources) runs one. */
  webhooks: Set<string>;
}

export const noGuardrails = (): Guardrails => ({
  windows: [],
  group: null,
  failures: new Map(),
  failedAt: new Map(),
  stats: new Map(),
  restarts: new Map(),
  restartsFirstAt: new Map(),
  resets: new Map(),
  upcoming: [],
  webhooks: new Set(),
});

const IN_FLIGHT = ["pending", "delivered", "awaiting_approval"] as const;

export async function loadGuardrails(
  db: Db,
  orgId: string,
  host: { id: string; group: string | null },
  now: number,
  crashLoopWindowMs: number = CRASH_LOOP_DEFAULTS.windowSeconds * 1000,
): Promise<Guardrails> {
  // A host without a group matches no host (group names are never the empty string's NUL).
  const groupName = host.group ?? "\u0000";
  const inGroup = and(eq(hosts.orgId, orgId), eq(hosts.group, groupName));
  const [windows, members, busy, failures, stats, restarts, upcoming, hooks, resets] = await db.batch([
    db
      .select()
      .from(maintenanceWindows)
      .where(
        and(
          eq(maintenanceWindows.orgId, orgId),
          lte(maintenanceWindows.startsAt, now),
          gt(maintenanceWindows.endsAt, now),
        ),
      ),
    db.select({ n: count() }).from(hosts).where(inGroup),
    db
      .selectDistinct({ hostId: commands.hostId })
      .from(commands)
      .where(
        and(
          eq(commands.orgId, orgId),
          eq(commands.kind, "recovery"),
          inArray(commands.status, [...IN_FLIGHT]),
          inArray(commands.hostId, db.select({ id: hosts.id }).from(hosts).where(inGroup)),
        ),
      ),
    db
      .select({
        action: recoveryHistory.action,
        target: recoveryHistory.target,
        id: recoveryHistory.commandId,
        at: recoveryHistory.startedAt,
      })
      .from(recoveryHistory)
      .where(
        and(
          eq(recoveryHistory.orgId, orgId),
          eq(recoveryHistory.hostId, host.id),
          inArray(recoveryHistory.status, ["failed", "timed_out"]),
          gte(recoveryHistory.startedAt, now - BREAKER_WINDOW_MS),
          afterGuardrailReset,
        ),
      )
      .limit(500),
    learnedQuery(db, orgId),
    restartsQuery(db, orgId, host.id, now - crashLoopWindowMs),
    db
      .select()
      .from(maintenanceWindows)
      .where(and(eq(maintenanceWindows.orgId, orgId), gt(maintenanceWindows.startsAt, now)))
      .orderBy(maintenanceWindows.startsAt)
      .limit(50),
    db.select({ name: actionWebhooks.name }).from(actionWebhooks).where(eq(actionWebhooks.orgId, orgId)),
    db
      .select({ target: guardrailResets.target, at: guardrailResets.resetAt })
      .from(guardrailResets)
      .where(and(eq(guardrailResets.orgId, orgId), eq(guardrailResets.hostId, host.id))),
  ]);
  return {
    windows,
    group: host.group
      ? { name: host.group, size: members[0]?.n ?? 0, busy: new Set(busy.map((b) => b.hostId)) }
      : null,
    failures: failures.reduce((m, f) => {
      const key = `${f.action}|${f.target ?? ""}`;
      return m.set(key, [...(m.get(key) ?? []), f.id]);
    }, new Map<string, string[]>()),
    stats: new Map(
      stats.map((s) => [`${s.ruleId}|${s.action}`, { attempts: s.attempts, succeeded: s.succeeded }]),
    ),
    failedAt: new Map(failures.map((f) => [f.id, f.at])),
    restarts: new Map(restarts.map((r) => [r.target ?? "", r.n])),
    restartsFirstAt: new Map(
      restarts.flatMap((r): [string, number][] => (r.first === null ? [] : [[r.target ?? "", r.first]])),
    ),
    resets: new Map(resets.map((r) => [r.target, r.at])),
    upcoming,
    webhooks: new Set(hooks.map((h) => h.name)),
  };
}

/** Finished attempts per (rule, action); success means verified (it ran and the condition cleared). */
export function learnedQuery(db: Db, orgId: string) {
  return db
    .select({
      ruleId: issues.ruleId,
      action: recoveryHistory.action,
      attempts: count(),
      succeeded: sql<number>`coalesce(sum(CASE WHEN ${recoveryHistory.verified} THEN 1 ELSE 0 END), 0)`,
    })
    .from(recoveryHistory)
    .innerJoin(issues, eq(issues.id, recoveryHistory.issueId))
    .where(
      and(
        eq(recoveryHistory.orgId, orgId),
        inArray(recoveryHistory.status, ["succeeded", "failed", "timed_out"]),
      ),
    )
    .groupBy(issues.ruleId, recoveryHistory.action);
}

/** The first window in force that covers this host (by id or group) or rule, as a hold reason. */
/** The first of `windows` that covers this host and rule. */
export function windowFor(windows: WindowRow[], host: { id: string; group: string | null }, ruleId: string) {
  return windows.find(
    (w) =>
      (w.hostId === null || w.hostId === host.id) &&
      (w.hostGroup === null || w.hostGroup === host.group) &&
      (w.ruleId === null || w.ruleId === ruleId),
  );
}

export function maintenanceHold(
  windows: WindowRow[],
  host: { id: string; group: string | null },
  ruleId: string,
): string | null {
  const w = windowFor(windows, host, ruleId);
  return w ? `held: maintenance window until ${humanTime(w.endsAt)}: ${w.reason}` : null;
}

/** Rolling recovery: at most half a group (at least one host) recovers at once. */
export function groupHold(group: Guardrails["group"], hostId: string): string | null {
  if (!group || group.busy.has(hostId)) return null;
  const limit = Math.max(1, Math.floor(group.size * 0.5));
  if (group.busy.size < limit) return null;
  return `waiting: ${group.busy.size} of ${group.size} hosts in group ${group.name} are recovering`;
}

/**
 * The circuit breaker. `justFailed`: command ids of this issue's attempts with that action that
 * failed in this very report (the rows read before it still say pending).
 */
export function breakerHold(
  failures: Guardrails["failures"],
  action: string,
  target: string | null,
  justFailed: string[],
  failedAt: Guardrails["failedAt"] = new Map(),
  now = Date.now(),
) {
  const ids = [...new Set([...(failures.get(`${action}|${target ?? ""}`) ?? []), ...justFailed])];
  const n = ids.length;
  if (n < BREAKER_FAILURES) return null;
  const held = `circuit breaker: ${action}${target ? ` on ${target}` : ""} failed ${n} times in ${BREAKER_WINDOW_MS / MINUTE} min`;
  // which failures tripped it, and when it lets go: once all but BREAKER_FAILURES - 1 have aged out
  const times = ids.map((id) => failedAt.get(id) ?? now).sort((a, b) => a - b);
  const resetsAt = times[n - BREAKER_FAILURES] + BREAKER_WINDOW_MS;
  return `${held}: at ${times.map(humanTime).join(", ")}; it resets at ${humanTime(resetsAt)}, or when an admin resets it`;
}
