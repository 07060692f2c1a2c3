/** Host summaries (status, services, open issues) and sample history, within one org. */
import { and, asc, count, desc, eq, gte, lte, ne, or, type SQL } from "drizzle-orm";
import { healthStatus, type Severity } from "../../agent/engine";
import type { Db } from "../db/client";
import { hosts, issues, metricSamples, serviceStates } from "../db/schema";
import { notFound } from "../lib/errors";
import { iso, isoOrNull, SECOND } from "../lib/time";
import type { HealingConfig } from "../schemas/config";
import { type HostSummary, SampleSchema } from "../schemas/hosts";
import { configQuery, resolveConfig } from "./config";
import { retentionOf } from "./retention";
import { chooseResolution, readRollups, type SeriesQuery } from "./retention-series";
import { viewRows } from "./stored-rows";

/** A host is online when it reported within three intervals (and never less than a minute). */
export const onlineWindowMs = (intervalSeconds: number) => Math.max(3 * intervalSeconds, 60) * SECOND;

export interface Fleet {
  config: HealingConfig;
  hosts: HostSummary[];
  /** Severities of every unresolved issue in the org (one entry per issue). */
  openSeverities: Severity[];
}

/** The org's config and its hosts (or the one named) with services and open issue counts, in one batch. */
export async function fleet(db: Db, orgId: string, idOrName?: string): Promise<Fleet> {
  const hostFilter = and(
    eq(hosts.orgId, orgId),
    idOrName ? or(eq(hosts.id, idOrName), eq(hosts.name, idOrName)) : undefined,
  );
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
      .select({ hostId: issues.hostId, severity: issues.severity, n: count() })
      .from(issues)
      .where(and(eq(issues.orgId, orgId), ne(issues.status, "resolved")))
      .groupBy(issues.hostId, issues.severity),
  ]);
  const config = resolveConfig(settingsRows[0]?.config);
  const intervalSeconds = config.monitoring.interval;
  const now = Date.now();
  const summaries = hostRows.map((h): HostSummary => {
    const severities = issueRows
      .filter((r) => r.hostId === h.id)
      .flatMap((r) => Array<Severity>(r.n).fill(r.severity));
    const services = serviceRows.filter((r) => r.service.hostId === h.id).map((r) => r.service);
    return {
      id: h.id,
      name: h.name,
      hostname: h.facts.hostname ?? null,
      os: h.facts.os ?? null,
      group: h.group,
      hostKey: h.publicKey !== null,
      online: h.lastSeenAt !== null && now - h.lastSeenAt <= onlineWindowMs(intervalSeconds),
      lastSeenAt: isoOrNull(h.lastSeenAt),
      healthScore: h.healthScore,
      status: healthStatus(h.healthScore, severities),
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
    };
  });
  const openSeverities = issueRows.flatMap((r) => Array<Severity>(r.n).fill(r.severity));
  return { config, hosts: summaries, openSeverities };
}

export async function listHosts(db: Db, orgId: string) {
  return (await fleet(db, orgId)).hosts;
}

export async function getHost(db: Db, orgId: string, idOrName: string) {
  const { hosts: found } = await fleet(db, orgId, idOrName);
  const host = found.find((h) => h.id === idOrName) ?? found[0];
  if (!host) throw notFound("host");
  return host;
}

/**
 * Samples oldest first. With `from`, the first `limit` samples from then on; without it, the
 * latest `limit` samples (what a chart wants). Raw samples, or rollups for longer ranges.
 */
export async function listSamples(db: Db, orgId: string, idOrName: string, query: SeriesQuery) {
  const [[host], settingsRows] = await db.batch([
    db
      .select({ id: hosts.id })
      .from(hosts)
      .where(and(eq(hosts.orgId, orgId), or(eq(hosts.id, idOrName), eq(hosts.name, idOrName))))
      .limit(1),
    configQuery(db, orgId),
  ]);
  if (!host) throw notFound("host");
  // Issue 7: mid and long ranges read the rollups (retention-series.ts).
  const retention = retentionOf(resolveConfig(settingsRows[0]?.config));
  const resolution = chooseResolution(query, retention, Date.now());
  if (resolution !== "raw") return { resolution, items: await readRollups(db, host.id, resolution, query) };
  const filters: (SQL | undefined)[] = [eq(metricSamples.hostId, host.id)];
  if (query.from) filters.push(gte(metricSamples.ts, Date.parse(query.from)));
  if (query.to) filters.push(lte(metricSamples.ts, Date.parse(query.to)));
  const rows = await db
    .select()
    .from(metricSamples)
    .where(and(...filters))
    .orderBy(query.from ? asc(metricSamples.ts) : desc(metricSamples.ts))
    .limit(query.limit);
  if (!query.from) rows.reverse();
  const items = viewRows(
    "metric_samples",
    rows,
    SampleSchema,
    (r) => ({ ts: iso(r.ts), metrics: sampleMetrics(r) }),
    (r) => `${r.hostId}@${r.ts}`,
  );
  return { resolution, items };
}

/** A stored sample row back to the metric names the agent reported (columns + extra). */
export function sampleMetrics(r: typeof metricSamples.$inferSelect): Record<string, number> {
  const columns = {
    cpu: r.cpu,
    memory: r.memory,
    disk: r.disk,
    load1: r.load1,
    "net.rx": r.netRx,
    "net.tx": r.netTx,
  };
  const metrics: Record<string, number> = { ...(r.extra ?? {}) };
  for (const [name, value] of Object.entries(columns)) if (value !== null) metrics[name] = value;
  return metrics;
}
