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
import { SUMMARY_EVERY_MS } from "../../../objects/host/keeper";
import { hostObject, unwrap } from "../../../objects/host/stub";
import type { HealingConfig } from "../../../schemas/config";
import { DEFAULT_CONFIG, resolveConfig } from "../../config/healing-config";
import { EDGE_HOST, edgeHosts } from "../../edge/run-checks";
import { windowFor } from "../../recovery/guardrails";
import { windowsInForce } from "../../recovery/maintenance";
import {
  type Candidate,
  type OrgSilence,
  openFleetIncident,
  openHostOffline,
  resolveFleetIncident,
} from "./issue-writes";
import { FLEET_INCIDENT_KEY, FLEET_OFFLINE_RULE, HOST_OFFLINE_RULE, isStorm, silenceAfterMs } from "./policy";

const CANDIDATES_PER_RUN = 1000;
/** Unresolved, as the partial index of issues by rule reads it (a bound value would not use it). */
const unresolved = sql`${issues.status} <> 'resolved'`;

export interface SilenceSwept {
  opened: number;
  fleetOpened: number;
  fleetResolved: number;
  /** Hosts whose issues changed: their objects read them again. */
  hosts: string[];
}

/** Each org's healing settings, and the shortest silence threshold any of them uses. */
async function silenceSettings(db: Db) {
  const configs = new Map(
    (await db.select({ orgId: settings.orgId, config: settings.config }).from(settings)).map((r) => [
      r.orgId,
      resolveConfig(r.config),
    ]),
  );
  const configOf = (orgId: string): HealingConfig => configs.get(orgId) ?? DEFAULT_CONFIG;
  const floor = Math.min(silenceAfterMs(DEFAULT_CONFIG), ...[...configs.values()].map(silenceAfterMs));
  return { configOf, floor };
}

/** Hosts D1 last saw before the shortest threshold (newest first), and the open fleet incidents. */
async function staleHostsAndFleetIncidents(db: Db, floor: number, now: number) {
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
  return { stale: stale as Candidate[], fleetOpen };
}

/** Per org: the hosts already flagged offline, how many hosts are watched, the maintenance in force. */
async function orgsSilence(db: Db, orgIds: string[], now: number) {
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
  return { flaggedRows, watchedRows, windows };
}

export async function sweepSilentHosts(db: Db, env: Pick<Env, "HOST">, now: number): Promise<SilenceSwept> {
  const { configOf, floor } = await silenceSettings(db);
  const { stale, fleetOpen } = await staleHostsAndFleetIncidents(db, floor, now);
  const candidates = stale.filter((h) => now - h.lastSeenAt > silenceAfterMs(configOf(h.orgId)));
  const orgIds = [...new Set([...candidates.map((h) => h.orgId), ...fleetOpen.map((f) => f.orgId)])];
  if (orgIds.length === 0) return { opened: 0, fleetOpened: 0, fleetResolved: 0, hosts: [] };

  const { flaggedRows, watchedRows, windows } = await orgsSilence(db, orgIds, now);
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
    const org: OrgSilence = {
      orgId,
      config: configOf(orgId),
      fresh: newlySilent.filter((h) => h.orgId === orgId),
      alreadySilent: flaggedRows.filter((r) => r.orgId === orgId),
      watched: Number(watchedRows.find((r) => r.orgId === orgId)?.n ?? 0),
      openFleet: fleetOpen.find((f) => f.orgId === orgId),
      edgeHostId: edgeOf.get(orgId),
    };
    statements.push(...sweepOrg(db, org, swept, now));
  }
  await runBatch(db, statements);
  return swept;
}

/** One org's statements: a fleet incident opened, each silent host's issue, the incident resolved. */
function sweepOrg(db: Db, org: OrgSilence, swept: SilenceSwept, now: number): Statement[] {
  const { fresh, alreadySilent, openFleet } = org;
  const statements: Statement[] = [];
  const storm =
    Boolean(openFleet) || (fresh.length > 0 && isStorm(alreadySilent.length + fresh.length, org.watched));
  if (storm && !openFleet && org.edgeHostId !== undefined) {
    statements.push(...openFleetIncident(db, org, org.edgeHostId, now));
    swept.fleetOpened++;
  }
  for (const h of fresh) {
    statements.push(...openHostOffline(db, org, h, storm, now));
    swept.opened++;
    swept.hosts.push(h.id);
  }
  // The fleet incident is over once none of its hosts is still silent.
  const members = alreadySilent.filter((r) => r.incidentKey === FLEET_INCIDENT_KEY).length;
  if (openFleet && members === 0 && fresh.length === 0) {
    statements.push(...resolveFleetIncident(db, org.orgId, openFleet, now));
    swept.fleetResolved++;
  }
  return statements;
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
