/** GET /metrics for one org: per-host health, open issues, recoveries, MTTR and deliveries. */
import { and, count, eq, isNotNull, isNull, ne, sql } from "drizzle-orm";
import { SEVERITIES } from "../../../../agent/engine";
import type { Db } from "../../../db/client";
import { deliveries, deliveryStatuses, edgeChecks, hosts, issues, recoveryHistory } from "../../../db/schema";
import { EDGE_HOST } from "../../edge/run-checks";
import { saneHistory } from "../../issues/stored-rows";
import { availability } from "../uptime";
import { type Family, histogram, render } from "./render";

export const MTTR_BUCKETS = [10, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400];

/** The org's figures the families are made of, read in one batch. */
function readFigures(db: Db, orgId: string) {
  const resolved = and(eq(issues.orgId, orgId), eq(issues.status, "resolved"));
  return db.batch([
    db
      .select({
        id: hosts.id,
        name: hosts.name,
        group: hosts.group,
        health: hosts.healthScore,
        lastSeenAt: hosts.lastSeenAt,
      })
      .from(hosts)
      // The synthetic host of edge checks has no agent and no health; its checks have their own metrics.
      .where(and(eq(hosts.orgId, orgId), ne(hosts.name, EDGE_HOST), isNull(hosts.retiredAt)))
      .orderBy(hosts.name),
    db
      .select({ severity: issues.severity, n: count() })
      .from(issues)
      .where(and(eq(issues.orgId, orgId), ne(issues.status, "resolved")))
      .groupBy(issues.severity),
    db
      .select({ action: recoveryHistory.action, status: recoveryHistory.status, n: count() })
      .from(recoveryHistory)
      .where(and(eq(recoveryHistory.orgId, orgId), ne(recoveryHistory.status, "pending"), saneHistory))
      .groupBy(recoveryHistory.action, recoveryHistory.status)
      .orderBy(recoveryHistory.action, recoveryHistory.status),
    db
      .select({
        n: count(),
        sum: sql<number>`coalesce(sum(${issues.mttrSeconds}), 0)`,
        ...Object.fromEntries(
          // Distinct aliases: D1 merges result columns that share a name.
          MTTR_BUCKETS.map((le) => [
            `le${le}`,
            sql<number>`coalesce(sum(CASE WHEN ${issues.mttrSeconds} <= ${le} THEN 1 ELSE 0 END), 0)`.as(
              `le${le}`,
            ),
          ]),
        ),
      })
      .from(issues)
      .where(and(resolved, sql`${issues.mttrSeconds} IS NOT NULL`)),
    db
      .select({ status: deliveries.status, n: count() })
      .from(deliveries)
      .where(eq(deliveries.orgId, orgId))
      .groupBy(deliveries.status),
    db
      .select({ url: edgeChecks.url, ok: edgeChecks.lastOk, latencyMs: edgeChecks.lastLatencyMs })
      .from(edgeChecks)
      .where(and(eq(edgeChecks.orgId, orgId), isNotNull(edgeChecks.lastCheckedAt)))
      .orderBy(edgeChecks.url),
  ]);
}

type Figures = Awaited<ReturnType<typeof readFigures>>;

function hostFamilies(hostRows: Figures[0]): Family[] {
  const host = (h: (typeof hostRows)[number]) => ({ host: h.name, host_id: h.id, group: h.group ?? "" });
  return [
    {
      name: "selfheal_host_health_score",
      help: "Health score of the host, 0 (down) to 100 (healthy).",
      type: "gauge",
      samples: hostRows.map((h) => ({ labels: host(h), value: h.health ?? Number.NaN })),
    },
    {
      name: "selfheal_host_last_seen_timestamp_seconds",
      help: "When the host's agent last reported (Unix time).",
      type: "gauge",
      samples: hostRows
        .filter((h) => h.lastSeenAt !== null)
        .map((h) => ({ labels: host(h), value: (h.lastSeenAt ?? 0) / 1000 })),
    },
  ];
}

/** One sample per window (24h, 7d, 30d) that has a value, for each item. */
function byWindow<T>(
  items: T[],
  of: (item: T) => Record<string, number | null>,
  labels: (item: T) => Record<string, string>,
) {
  return items.flatMap((item) =>
    Object.entries(of(item))
      .filter((e): e is [string, number] => e[1] !== null)
      .map(([window, value]) => ({ labels: { ...labels(item), window }, value })),
  );
}

function availabilityFamilies(uptime: Awaited<ReturnType<typeof availability>>): Family[] {
  return [
    {
      name: "selfheal_fleet_availability_ratio",
      help: "Share of time the org's hosts were seen reporting, by window (24h, 7d, 30d).",
      type: "gauge",
      samples: byWindow(
        [uptime.fleet],
        (f) => f,
        () => ({}),
      ),
    },
    {
      name: "selfheal_host_availability_ratio",
      help: "Share of time the host was seen reporting (silent time is down), by window.",
      type: "gauge",
      samples: byWindow(
        uptime.hosts,
        (h) => h.availability,
        (h) => ({ host: h.name, host_id: h.id }),
      ),
    },
    {
      name: "selfheal_service_availability_ratio",
      help: "Share of the time its state was known that the service was up, by window.",
      type: "gauge",
      samples: byWindow(
        uptime.hosts.flatMap((h) => h.services.map((s) => ({ ...s, host: h }))),
        (s) => s.availability,
        (s) => ({ host: s.host.name, host_id: s.host.id, service: s.name }),
      ),
    },
  ];
}

function issueFamilies(openRows: Figures[1], recoveryRows: Figures[2], mttrRows: Figures[3]): Family[] {
  const openBy = new Map(openRows.map((r) => [r.severity, r.n]));
  const m = mttrRows[0] as Record<string, number>;
  return [
    {
      name: "selfheal_open_issues",
      help: "Issues not yet resolved, by severity.",
      type: "gauge",
      samples: SEVERITIES.map((s) => ({ labels: { severity: s }, value: openBy.get(s) ?? 0 })),
    },
    {
      name: "selfheal_recoveries_total",
      help: "Finished recovery attempts by action and result.",
      type: "counter",
      samples: recoveryRows.map((r) => ({ labels: { action: r.action, result: r.status }, value: r.n })),
    },
    {
      name: "selfheal_mttr_seconds",
      help: "Time from detection to resolution of resolved issues.",
      type: "histogram",
      samples: histogram(
        MTTR_BUCKETS,
        MTTR_BUCKETS.map((le) => Number(m[`le${le}`] ?? 0)),
        Number(m.sum ?? 0),
        Number(m.n ?? 0),
      ),
    },
  ];
}

function edgeFamilies(edgeRows: Figures[5]): Family[] {
  return [
    {
      name: "selfheal_edge_check_up",
      help: "1 when the endpoint's last edge check passed, else 0.",
      type: "gauge",
      samples: edgeRows.map((e) => ({ labels: { url: e.url }, value: e.ok ? 1 : 0 })),
    },
    {
      name: "selfheal_edge_check_latency_seconds",
      help: "Latency of the endpoint's last edge check.",
      type: "gauge",
      samples: edgeRows.map((e) => ({ labels: { url: e.url }, value: (e.latencyMs ?? Number.NaN) / 1000 })),
    },
  ];
}

function deliveryFamily(deliveryRows: Figures[4]): Family {
  const deliveredBy = new Map(deliveryRows.map((r) => [r.status, r.n]));
  return {
    name: "selfheal_notification_deliveries",
    help: "Notification deliveries by status.",
    type: "gauge",
    samples: deliveryStatuses.map((s) => ({ labels: { status: s }, value: deliveredBy.get(s) ?? 0 })),
  };
}

export async function prometheusText(db: Db, orgId: string): Promise<string> {
  const [hostRows, openRows, recoveryRows, mttrRows, deliveryRows, edgeRows] = await readFigures(db, orgId);
  const uptime = await availability(db, orgId, Date.now());
  return render([
    ...hostFamilies(hostRows),
    ...availabilityFamilies(uptime),
    ...issueFamilies(openRows, recoveryRows, mttrRows),
    ...edgeFamilies(edgeRows),
    deliveryFamily(deliveryRows),
  ]);
}
