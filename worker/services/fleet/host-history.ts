/**
 * A host's metric history, read through its object (worker/objects/host/history.ts), where
 * samples and rollups have lived since the host objects. Upgrade path: a deployment that kept
 * history in D1 before still serves it: a range reaching back before the object's oldest row is
 * completed from D1's metric_samples / rollup tables, which the cron's retention keeps pruning
 * until nothing is left there.
 */
import { and, asc, desc, eq, getTableColumns, gte, lte, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { metricRollups1h, metricRollups1m, metricSamples } from "../../db/schema";
import type { Env } from "../../env";
import { iso } from "../../lib/time";
import type { Range, SeriesItem } from "../../objects/host/history";
import { hostObject, unwrap } from "../../objects/host/stub";
import { SampleSchema } from "../../schemas/hosts";
import { viewRows } from "../issues/stored-rows";
import { fromRow, toSeriesItem } from "../retention/buckets";

export type Resolution = "raw" | "minute" | "hour";

/** Items oldest first: from `range.from` on, or the latest `range.limit`. */
export async function readSeries(
  env: Pick<Env, "HOST">,
  db: Db,
  orgId: string,
  hostId: string,
  resolution: Resolution,
  range: Range,
): Promise<SeriesItem[]> {
  const { items, oldest } = unwrap(await hostObject(env, hostId).series(orgId, hostId, resolution, range));
  const wantsOlder =
    range.from === undefined ? items.length < range.limit : oldest === null || range.from < oldest;
  if (!wantsOlder) return items;
  const legacyRange: Range = {
    from: range.from,
    to: oldest === null ? range.to : Math.min(range.to ?? oldest - 1, oldest - 1),
    limit: range.from === undefined ? range.limit - items.length : range.limit,
  };
  if (legacyRange.limit <= 0) return items;
  const legacy = await readD1(db, hostId, resolution, legacyRange);
  return [...legacy, ...items].slice(0, range.limit);
}

/** D1's history of a host from before its object (same shapes as the object's). */
async function readD1(db: Db, hostId: string, resolution: Resolution, range: Range): Promise<SeriesItem[]> {
  const t =
    resolution === "raw" ? metricSamples : resolution === "minute" ? metricRollups1m : metricRollups1h;
  const at = "ts" in t ? t.ts : t.bucket;
  const filters: (SQL | undefined)[] = [eq(t.hostId, hostId)];
  if (range.from !== undefined) filters.push(gte(at, range.from));
  if (range.to !== undefined) filters.push(lte(at, range.to));
  const rows = await db
    .select()
    .from(t)
    .where(and(...filters))
    .orderBy(range.from !== undefined ? asc(at) : desc(at))
    .limit(range.limit);
  if (range.from === undefined) rows.reverse();
  // A stored row whose view throws or fails the schema is skipped (and logged), never a 500.
  if (resolution === "raw")
    return viewRows(
      "metric_samples",
      rows as (typeof metricSamples.$inferSelect)[],
      SampleSchema,
      (r) => ({ ts: iso(r.ts), metrics: sampleMetrics(r) }),
      (r) => `${r.hostId}@${r.ts}`,
    );
  // Back to SQL column names, the one row shape the bucket arithmetic reads.
  const names = Object.entries(getTableColumns(t)).map(([key, col]) => [key, col.name] as const);
  return viewRows(
    resolution === "minute" ? "metric_rollups_1m" : "metric_rollups_1h",
    rows as (typeof metricRollups1m.$inferSelect)[],
    SampleSchema,
    (r) =>
      toSeriesItem(fromRow(Object.fromEntries(names.map(([key, name]) => [name, r[key as keyof typeof r]])))),
    (r) => `${r.hostId}@${r.bucket}`,
  );
}

/** A D1 sample row back to the metric names the agent reported (columns + extra). */
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
