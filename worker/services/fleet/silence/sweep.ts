/**
 * The cron's silence sweep, once a minute over every org (a system job, like the command sweep):
 * a host whose last report is older than its org's threshold (policy.ts) opens a host_offline
 * issue and pages; when most of an org's hosts go silent together, they join one fleet_offline
 * incident on the org's "(edge)" host, paged once. The host's own next report resolves its issue
 * (./resume.ts); the fleet incident resolves here once all its hosts are back or retired.
 *
 * Cost: it reads D1's host summaries whose last seen is older than the shortest threshold in
 * use (an index), never a steady host's object. D1's summary runs up to a minute behind the
 * object, so a host past its threshold by D1 alone is confirmed with its object before an issue
 * opens: one call per host that looks silent, and none once its issue is open.
 */
import { and, desc, eq, inArray, isNotNull, isNull, lt, ne, sql } from "drizzle-orm";
import { type Db, runBatch, type Statement } from "../../../db/client";
import { hosts, issues, settings } from "../../../db/schema";
import type { Env } from "../../../env";
import { newId } from "../../../lib/ids";
import { iso } from "../../../lib/time";
import { SUMMARY_EVERY_MS } from "../../../objects/host/keeper";
import { hostObject, unwrap } from "../../../objects/host/stub";
import type { HealingConfig } from "../../../schemas/config";
import { DEFAULT_CONFIG, resolveConfig } from "../../config/healing-config";
import { EDGE_HOST, edgeHosts } from "../../edge/run-checks";
import { respondByOf } from "../../issues/response-targets";
import { notifyStatement } from "../../notify/outbox";
import { windowFor } from "../../recovery/guardrails";
import { windowsInForce } from "../../recovery/maintenance";
import {
  duration,
  FLEET_INCIDENT_KEY,
  FLEET_OFFLINE_RULE,
  HOST_OFFLINE_RULE,
  isStorm,
  offlineSeverity,
  silenceAfterMs,
} from "./policy";

const CANDIDATES_PER_RUN = 1000;
/** Unresolved, as the partial index of issues by rule reads it (a bound value would not use it). */
const unresolved = sql`${issues.status} <> 'resolved'`;

type Candidate = { id: string; orgId: string; name: string; group: string | null; lastSeenAt: number };

export interface SilenceSwept {
  opened: number;
  fleetOpened: number;
  fleetResolved: number;
  /** Hosts whose issues changed: their objects read them again. */
  hosts: string[];
}

export async function sweepSilentHosts(db: Db, env: Pick<Env, "HOST">, now: number): Promise<SilenceSwept> {
  const configs = new Map(
    (await db.select({ orgId: settings.orgId, config: settings.config }).from(settings)).map((r) => [
      r.orgId,
      resolveConfig(r.config),
    ]),
  );
  const configOf = (orgId: string): HealingConfig => configs.get(orgId) ?? DEFAULT_CONFIG;
  const floor = Math.min(silenceAfterMs(DEFAULT_CONFIG), ...[...configs.values()].map(silenceAfterMs));
  const [stale, fleetOpen] = await db.batch([
    db
      .select({
        id: hosts.id,
        orgId: hosts.orgId,
        name: hosts.name,
        group: hosts.group,
        lastSeenAt: hosts.lastSeenAt,
      })
      .from(hosts)
      .where(and(lt(hosts.lastSeenAt, now - floor), isNull(hosts.retiredAt), ne(hosts.name, EDGE_HOST)))
      .orderBy(desc(hosts.lastSeenAt))
      .limit(CANDIDATES_PER_RUN),
    db
      .select({ id: issues.id, orgId: issues.orgId, detectedAt: issues.detectedAt })
      .from(issues)
      .where(and(eq(issues.ruleId, FLEET_OFFLINE_RULE), unresolved)),
  ]);
  const candidates = (stale as Candidate[]).filter(
    (h) => now - h.lastSeenAt > silenceAfterMs(configOf(h.orgId)),
  );
  const orgIds = [...new Set([...candidates.map((h) => h.orgId), ...fleetOpen.map((f) => f.orgId)])];
  if (orgIds.length === 0) return { opened: 0, fleetOpened: 0, fleetResolved: 0, hosts: [] };

  const [flaggedRows, watchedRows, windows] = await Promise.all([
    db
      .select({ hostId: issues.hostId, orgId: issues.orgId, incidentKey: issues.incidentKey })
      .from(issues)
      .where(and(eq(issues.ruleId, HOST_OFFLINE_RULE), unresolved, inArray(issues.orgId, orgIds))),
    db
      .select({ orgId: hosts.orgId, n: sql<number>`count(*)` })
      .from(hosts)
      .where(
        and(
          inArray(hosts.orgId, orgIds),
          isNotNull(hosts.lastSeenAt),
          isNull(hosts.retiredAt),
          ne(hosts.name, EDGE_HOST),
        ),
      )
      .groupBy(hosts.orgId),
    windowsInForce(db, orgIds, now),
  ]);
  const flagged = new Set(flaggedRows.map((r) => r.hostId));
  // Maintenance windows (for the host, its group, the org, or the host_offline rule) exempt it.
  const exempt = (h: Candidate) =>
    windowFor(
      windows.filter((w) => w.orgId === h.orgId),
      h,
      HOST_OFFLINE_RULE,
    ) !== undefined;
  const newlySilent = await confirmSilent(
    env,
    candidates.filter((h) => !flagged.has(h.id) && !exempt(h)),
    (h) => silenceAfterMs(configOf(h.orgId)),
    now,
  );

  const statements: Statement[] = [];
  const swept: SilenceSwept = { opened: 0, fleetOpened: 0, fleetResolved: 0, hosts: [] };
  const edgeOf = await edgeHostsFor(db, orgIds, newlySilent, flaggedRows, watchedRows, fleetOpen, now);
  for (const orgId of orgIds) {
    const config = configOf(orgId);
    const fresh = newlySilent.filter((h) => h.orgId === orgId);
    const alreadySilent = flaggedRows.filter((r) => r.orgId === orgId);
    const watched = Number(watchedRows.find((r) => r.orgId === orgId)?.n ?? 0);
    const openFleet = fleetOpen.find((f) => f.orgId === orgId);
    const storm =
      Boolean(openFleet) || (fresh.length > 0 && isStorm(alreadySilent.length + fresh.length, watched));
    if (storm && !openFleet && edgeOf.has(orgId)) {
      const id = newId("iss");
      const silent = alreadySilent.length + fresh.length;
      statements.push(
        db
          .insert(issues)
          .values({
            ...issueBase(orgId, now),
            id,
            hostId: edgeOf.get(orgId) as string,
            ruleId: FLEET_OFFLINE_RULE,
            ruleName: "Fleet offline",
            severity: "critical",
            summary: `${silent} of ${watched} hosts stopped reporting at once (a network or edge outage?)`,
            evidence: {
              silentHosts: silent,
              watchedHosts: watched,
              hosts: fresh.slice(0, 50).map((h) => h.name),
            },
            incidentKey: FLEET_INCIDENT_KEY,
            respondBy: respondByOf(config, "critical", now),
          })
          .onConflictDoNothing(),
        notifyStatement(db, { orgId, issueId: id, event: "opened", now }),
      );
      swept.fleetOpened++;
    }
    for (const h of fresh) {
      const id = newId("iss");
      const afterMs = silenceAfterMs(config);
      const severity = offlineSeverity(config);
      statements.push(
        db
          .insert(issues)
          .values({
            ...issueBase(orgId, now),
            id,
            hostId: h.id,
            ruleId: HOST_OFFLINE_RULE,
            ruleName: "Host offline",
            severity,
            summary: `${h.name} has sent no report for ${duration(now - h.lastSeenAt)} (threshold ${duration(afterMs)})`,
            evidence: { lastSeenAt: iso(h.lastSeenAt), thresholdSeconds: afterMs / 1000 },
            // In a storm the fleet incident pages for every host: this one neither pages nor breaches.
            cause: !storm,
            incidentKey: storm ? FLEET_INCIDENT_KEY : `${HOST_OFFLINE_RULE}|`,
            respondBy: storm ? null : respondByOf(config, severity, now),
          })
          .onConflictDoNothing(),
      );
      if (!storm) statements.push(notifyStatement(db, { orgId, issueId: id, event: "opened", now }));
      swept.opened++;
      swept.hosts.push(h.id);
    }
    // The fleet incident is over once none of its hosts is still silent.
    const members = alreadySilent.filter((r) => r.incidentKey === FLEET_INCIDENT_KEY).length;
    if (openFleet && members === 0 && fresh.length === 0) {
      const mttrSeconds = Math.round((now - openFleet.detectedAt) / 100) / 10;
      statements.push(
        db
          .update(issues)
          .set({ status: "resolved", resolvedAt: now, mttrSeconds, updatedAt: now })
          .where(and(eq(issues.id, openFleet.id), ne(issues.status, "resolved"))),
        notifyStatement(db, {
          orgId,
          issueId: openFleet.id,
          event: "resolved",
          now,
          detail: { silentFor: duration(now - openFleet.detectedAt) },
        }),
      );
      swept.fleetResolved++;
    }
  }
  await runBatch(db, statements);
  return swept;
}

function issueBase(orgId: string, now: number) {
  return {
    orgId,
    target: "",
    status: "open" as const,
    actions: [],
    detectedAt: now,
    updatedAt: now,
    ruleKind: "silence",
    ruleCondition: "no report within the silence threshold",
    source: "engine" as const,
  };
}

/** The "(edge)" host of each org about to open a fleet incident (only those are created). */
async function edgeHostsFor(
  db: Db,
  orgIds: string[],
  fresh: Candidate[],
  flagged: { orgId: string }[],
  watched: { orgId: string; n: number }[],
  fleetOpen: { orgId: string }[],
  now: number,
) {
  const stormy = orgIds.filter((orgId) => {
    const n = fresh.filter((h) => h.orgId === orgId).length;
    const total = n + flagged.filter((r) => r.orgId === orgId).length;
    const of = Number(watched.find((r) => r.orgId === orgId)?.n ?? 0);
    return n > 0 && !fleetOpen.some((f) => f.orgId === orgId) && isStorm(total, of);
  });
  return stormy.length ? edgeHosts(db, stormy, now) : new Map<string, string>();
}

/**
 * D1's last seen may be a minute behind the host's object: the object says when the host last
 * reported. An object that cannot answer leaves the host silent only past that minute too.
 */
async function confirmSilent(
  env: Pick<Env, "HOST">,
  candidates: Candidate[],
  afterMs: (h: Candidate) => number,
  now: number,
): Promise<Candidate[]> {
  const checked = await Promise.all(
    candidates.map(async (h) => {
      try {
        const hot = unwrap(await hostObject(env, h.id).summary(h.orgId, h.id));
        const lastSeenAt = Math.max(h.lastSeenAt, hot?.lastSeenAt ?? 0);
        return now - lastSeenAt > afterMs(h) ? { ...h, lastSeenAt } : null;
      } catch {
        return now - h.lastSeenAt > afterMs(h) + SUMMARY_EVERY_MS ? h : null;
      }
    }),
  );
  return checked.filter((h): h is Candidate => h !== null);
}
