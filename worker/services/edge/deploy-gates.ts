/**
 * Deploy gates for CI/CD: "may I deploy to this group now?" and "did health drop after the
 * deploy?". Both read only: hosts, their open issues, service states and samples.
 */
import { and, eq, gte, inArray, isNull, lte, ne } from "drizzle-orm";
import { healthScore } from "../../../agent/engine";
import type { Db } from "../../db/client";
import { gateWatches, hosts, issues, serviceStates } from "../../db/schema";
import type { Env } from "../../env";
import { notFound } from "../../lib/errors";
import { randomBase62 } from "../../lib/ids";
import { iso, isoOrNull } from "../../lib/time";
import { configQuery, resolveConfig } from "../config/healing-config";
import { readSeries } from "../fleet/host-history";
import { hostIs } from "../fleet/host-ref";
import { onlineWindowMs } from "../fleet/hosts";

/** Samples a watch reads per host (a day at 2 s). */
const WATCH_MAX_SAMPLES = 43_200;

export const DEFAULT_MIN_HEALTH = 70;
export const EDGE_PLATFORM = "edge";
export interface Scope {
  group?: string;
  host?: string;
}

async function scopeHosts(db: Db, orgId: string, scope: Scope) {
  const rows = await db
    .select()
    .from(hosts)
    .where(
      and(
        eq(hosts.orgId, orgId),
        isNull(hosts.retiredAt), // a retired host is no deploy target, nor does it block one
        scope.group ? eq(hosts.group, scope.group) : undefined,
        scope.host ? hostIs(scope.host) : undefined,
      ),
    );
  // The synthetic host that carries edge-check issues is no deploy target.
  const targets = rows.filter((h) => h.facts.platform !== EDGE_PLATFORM);
  if (targets.length === 0) throw notFound(scope.group ? `hosts in group "${scope.group}"` : "host");
  return targets;
}

export async function checkGate(db: Db, orgId: string, scope: Scope & { minHealth?: number }) {
  const scoped = await scopeHosts(db, orgId, scope);
  const ids = scoped.map((h) => h.id);
  const minHealth = scope.minHealth ?? DEFAULT_MIN_HEALTH;
  const [settingsRows, openRows, downRows] = await db.batch([
    configQuery(db, orgId),
    db
      .select({ id: issues.id, hostId: issues.hostId, severity: issues.severity, summary: issues.summary })
      .from(issues)
      .where(
        and(
          eq(issues.orgId, orgId),
          inArray(issues.hostId, ids),
          ne(issues.status, "resolved"),
          inArray(issues.severity, ["critical", "high"]),
        ),
      ),
    db
      .select({ hostId: serviceStates.hostId, name: serviceStates.name })
      .from(serviceStates)
      .where(
        and(
          inArray(serviceStates.hostId, ids),
          eq(serviceStates.status, "down"),
          eq(serviceStates.stopped, false),
        ),
      ),
  ]);
  const online = onlineWindowMs(resolveConfig(settingsRows[0]?.config).monitoring.interval);
  const now = Date.now();
  const reasons: string[] = [];
  const report = scoped.map((h) => {
    const open = openRows.filter((i) => i.hostId === h.id);
    const down = downRows.filter((s) => s.hostId === h.id).map((s) => s.name);
    const isOnline = h.lastSeenAt !== null && now - h.lastSeenAt <= online;
    for (const i of open) reasons.push(`${h.name}: open ${i.severity} issue ${i.id}: ${i.summary}`);
    for (const s of down) reasons.push(`${h.name}: service ${s} is down`);
    if (!isOnline) reasons.push(`${h.name}: offline (no report since ${isoOrNull(h.lastSeenAt) ?? "ever"})`);
    if (h.healthScore !== null && h.healthScore < minHealth)
      reasons.push(`${h.name}: health ${h.healthScore} below ${minHealth}`);
    const count = (s: string) => open.filter((i) => i.severity === s).length;
    return {
      id: h.id,
      name: h.name,
      group: h.group,
      online: isOnline,
      healthScore: h.healthScore,
      openIssues: { critical: count("critical"), high: count("high") },
      servicesDown: down,
    };
  });
  return { pass: reasons.length === 0, reasons, minHealth, hosts: report };
}

const lowest = (values: (number | null)[]) => {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? Math.min(...known) : null;
};

export async function startWatch(
  db: Db,
  env: Pick<Env, "HOST">,
  orgId: string,
  input: Scope & { windowSeconds: number; baseline?: number; maxDrop: number },
) {
  const scoped = await scopeHosts(db, orgId, input);
  const now = Date.now();
  const row = {
    id: `gw_${randomBase62(20)}`,
    orgId,
    hostGroup: input.group ?? null,
    hostId: input.host ? scoped[0].id : null,
    healthBefore: input.baseline ?? lowest(scoped.map((h) => h.healthScore)),
    maxDrop: input.maxDrop,
    startedAt: now,
    endsAt: now + input.windowSeconds * 1000,
  };
  await db.insert(gateWatches).values(row);
  return watchStatus(db, env, orgId, row.id);
}

/**
 * Health in the window is the engine's score per stored sample (resources; service outages show
 * up as issues). Fails early on a critical/high issue opened in the window or a drop past maxDrop.
 */
export async function watchStatus(db: Db, env: Pick<Env, "HOST">, orgId: string, id: string) {
  const [watch] = await db
    .select()
    .from(gateWatches)
    .where(and(eq(gateWatches.id, id), eq(gateWatches.orgId, orgId)));
  if (!watch) throw notFound("watch");
  const scoped = await scopeHosts(db, orgId, {
    group: watch.hostGroup ?? undefined,
    host: watch.hostId ?? undefined,
  });
  const ids = scoped.map((h) => h.id);
  const now = Date.now();
  const until = Math.min(now, watch.endsAt);
  // The watched hosts' samples, each through its host's object (the watch's scope, not the fleet).
  const series = await Promise.all(
    ids.map((id) =>
      readSeries(env, db, orgId, id, "raw", { from: watch.startedAt, to: until, limit: WATCH_MAX_SAMPLES }),
    ),
  );
  const sampleRows = series.flat().map((s) => s.metrics);
  const [opened] = await db.batch([
    db
      .select({ id: issues.id, hostId: issues.hostId, severity: issues.severity, summary: issues.summary })
      .from(issues)
      .where(
        and(
          eq(issues.orgId, orgId),
          inArray(issues.hostId, ids),
          gte(issues.detectedAt, watch.startedAt),
          lte(issues.detectedAt, until),
          inArray(issues.severity, ["critical", "high"]),
        ),
      ),
  ]);
  const scores = sampleRows.map((s) =>
    healthScore({ cpu: s.cpu ?? 0, memory: s.memory ?? 0, disk: s.disk ?? 0 }, []),
  );
  const healthMin = lowest(scores);
  const names = new Map(scoped.map((h) => [h.id, h.name]));
  const reasons = opened.map(
    (i) => `${names.get(i.hostId)}: ${i.severity} issue ${i.id} opened: ${i.summary}`,
  );
  if (watch.healthBefore !== null && healthMin !== null && healthMin < watch.healthBefore - watch.maxDrop) {
    reasons.push(`health dropped from ${watch.healthBefore} to ${healthMin} (more than ${watch.maxDrop})`);
  }
  const done = now >= watch.endsAt;
  if (done && sampleRows.length === 0) reasons.push("no samples arrived during the window");
  const status = reasons.length > 0 ? "failed" : done ? "passed" : "watching";
  return {
    id: watch.id,
    status,
    group: watch.hostGroup,
    hostId: watch.hostId,
    startedAt: iso(watch.startedAt),
    endsAt: iso(watch.endsAt),
    healthBefore: watch.healthBefore,
    healthMin,
    samples: sampleRows.length,
    reasons,
  } as const;
}
