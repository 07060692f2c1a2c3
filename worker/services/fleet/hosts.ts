/** Host summaries (status, services, open issues) and sample history, within one org. */
import { and, asc, count, eq, isNull, ne } from "drizzle-orm";
import { healthStatus, type Severity } from "../../../agent/engine";
import type { Db } from "../../db/client";
import { hosts, issues, serviceStates } from "../../db/schema";
import type { Env } from "../../env";
import { notFound } from "../../lib/errors";
import { iso, isoOrNull, SECOND } from "../../lib/time";
import { SUMMARY_EVERY_MS } from "../../objects/host/keeper";
import { hostObject, unwrap } from "../../objects/host/stub";
import type { HealingConfig } from "../../schemas/config";
import type { HostSummary } from "../../schemas/hosts";
import { configQuery, resolveConfig } from "../config/healing-config";
import type { HostColumns } from "../ingest/report/host-row";
import { retentionOf } from "../retention/run";
import { chooseResolution, type SeriesQuery } from "../retention/series";
import { readSeries } from "./host-history";
import { hostIs, hostRef } from "./host-ref";

/**
 * A host is online when it reported within three intervals (and never less than a minute), as
 * D1's host summary tells, which the host's object writes at most every SUMMARY_EVERY_MS.
 */
export const onlineWindowMs = (intervalSeconds: number) =>
  Math.max(3 * intervalSeconds, 60) * SECOND + SUMMARY_EVERY_MS;

export interface Fleet {
  config: HealingConfig;
  hosts: HostSummary[];
  /** Severities of every unresolved issue in the org (one entry per issue). */
  openSeverities: Severity[];
  /**
   * Severities of the unresolved issues that say something is wrong: the engine's. An operator
   * issue (an emergency protocol asked for, perhaps awaiting approval) is an action, not a failure.
   */
  healthSeverities: Severity[];
  /** Unresolved issues waiting for a person's approval (a state of their own). */
  awaitingApproval: number;
}

/** The org's config and its hosts (or the one named) with services and open issue counts, in one batch. */
export async function fleet(
  db: Db,
  orgId: string,
  idOrName?: string,
  /** Fresher columns of some hosts (their objects'), over D1's summary. */
  fresh: Record<string, Partial<HostColumns>> = {},
): Promise<Fleet> {
  // Retired hosts leave the fleet; asked for by id or name, one still shows (its history stays).
  const hostFilter = and(eq(hosts.orgId, orgId), idOrName ? hostIs(idOrName) : isNull(hosts.retiredAt));
  const [settingsRows, hostRows, serviceRows, issueRows] = await db.batch([
    configQuery(db, orgId),
    db.select().from(hosts).where(hostFilter).orderBy(asc(hosts.name)),
    db
      .select({ service: serviceStates })
      .from(serviceStates)
      .innerJoin(hosts, eq(hosts.id, serviceStates.hostId))
      .where(hostFilter)
      .orderBy(asc(serviceStates.name)),
    db
      .select({
        hostId: issues.hostId,
        severity: issues.severity,
        source: issues.source,
        status: issues.status,
        n: count(),
      })
      .from(issues)
      .where(and(eq(issues.orgId, orgId), ne(issues.status, "resolved")))
      .groupBy(issues.hostId, issues.severity, issues.source, issues.status),
  ]);
  const config = resolveConfig(settingsRows[0]?.config);
  const intervalSeconds = config.monitoring.interval;
  const now = Date.now();
  const summaries = hostRows.map((row): HostSummary => {
    const h = { ...row, ...fresh[row.id] };
    const severities = issueRows
      .filter((r) => r.hostId === h.id)
      .flatMap((r) => Array<Severity>(r.n).fill(r.severity));
    const failing = issueRows
      .filter((r) => r.hostId === h.id && r.source === "engine")
      .flatMap((r) => Array<Severity>(r.n).fill(r.severity));
    const services = serviceRows.filter((r) => r.service.hostId === h.id).map((r) => r.service);
    return {
      id: h.id,
      name: h.name,
      hostname: h.facts.hostname ?? null,
      os: h.facts.os ?? null,
      group: h.group,
      hostKey: h.publicKey !== null,
      online:
        h.retiredAt === null &&
        h.lastSeenAt !== null &&
        now - h.lastSeenAt <= onlineWindowMs(intervalSeconds),
      lastSeenAt: isoOrNull(h.lastSeenAt),
      healthScore: h.healthScore,
      status: healthStatus(h.healthScore, failing),
      metrics: h.metrics,
      services: services.map((s) => ({
        name: s.name,
        kind: s.kind as HostSummary["services"][number]["kind"],
        status: s.status,
        detail: s.detail,
        changedAt: iso(s.changedAt),
        stopped: s.stopped,
      })),
      openIssues: severities.length,
      retiredAt: isoOrNull(h.retiredAt),
      capabilities: h.facts.capabilities ?? null,
    };
  });
  const openSeverities = issueRows.flatMap((r) => Array<Severity>(r.n).fill(r.severity));
  const healthSeverities = issueRows
    .filter((r) => r.source === "engine")
    .flatMap((r) => Array<Severity>(r.n).fill(r.severity));
  const awaitingApproval = issueRows
    .filter((r) => r.status === "awaiting_approval")
    .reduce((n, r) => n + r.n, 0);
  return { config, hosts: summaries, openSeverities, healthSeverities, awaitingApproval };
}

export async function listHosts(db: Db, orgId: string) {
  return (await fleet(db, orgId)).hosts;
}

/**
 * One host's page: D1's summary, with the last seen time, metrics and health its object holds
 * (the summary in D1 may be up to a minute behind). A host that never reported has no object.
 */
export async function getHost(db: Db, env: Pick<Env, "HOST">, orgId: string, idOrName: string) {
  const pick = (found: HostSummary[]) => found.find((h) => h.id === idOrName) ?? found[0];
  const host = pick((await fleet(db, orgId, idOrName)).hosts);
  if (!host) throw notFound("host");
  if (host.lastSeenAt === null) return host;
  const hot = unwrap(await hostObject(env, host.id).summary(orgId, host.id));
  return hot ? (pick((await fleet(db, orgId, idOrName, { [host.id]: hot })).hosts) ?? host) : host;
}

/**
 * Samples oldest first. With `from`, the first `limit` samples from then on; without it, the
 * latest `limit` samples (what a chart wants). Raw samples, or rollups for longer ranges, read
 * through the host's object (host-history.ts).
 */
export async function listSamples(
  db: Db,
  env: Pick<Env, "HOST">,
  orgId: string,
  idOrName: string,
  query: SeriesQuery,
) {
  const [[host], settingsRows] = await db.batch([
    db.select({ id: hosts.id }).from(hosts).where(hostRef(orgId, idOrName)).limit(1),
    configQuery(db, orgId),
  ]);
  if (!host) throw notFound("host");
  // Mid and long ranges read the rollups (services/retention/series.ts).
  const retention = retentionOf(resolveConfig(settingsRows[0]?.config));
  const resolution = chooseResolution(query, retention, Date.now());
  const range = {
    from: query.from ? Date.parse(query.from) : undefined,
    to: query.to ? Date.parse(query.to) : undefined,
    limit: query.limit,
  };
  return { resolution, items: await readSeries(env, db, orgId, host.id, resolution, range) };
}
