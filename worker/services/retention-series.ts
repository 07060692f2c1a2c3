/**
 * Issue 7: charts read the resolution that fits the range. Short ranges read raw samples, mid
 * ranges 1-minute buckets, long ones 1-hour buckets; a range reaching back past what a resolution
 * keeps goes one coarser, so the answer is never cut off by retention.
 */
import { and, asc, desc, eq, getTableColumns, gte, lte, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { metricRollups1h, metricRollups1m } from "../db/schema";
import { MINUTE } from "../lib/time";
import { SampleSchema } from "../schemas/hosts";
import type { Retention } from "./retention";
import { fromRow, toSeriesItem } from "./retention-buckets";
import { viewRows } from "./stored-rows";

export const resolutions = ["raw", "minute", "hour"] as const;
export type Resolution = (typeof resolutions)[number];

const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The longest ranges served raw and by the minute. */
export const RAW_SPAN = 6 * HOUR;
export const MINUTE_SPAN = 7 * DAY;

export interface SeriesQuery {
  from?: string;
  to?: string;
  limit: number;
  resolution?: Resolution | "auto";
}

/** Without `from` (the latest samples) always raw; an explicit resolution is taken as asked. */
export function chooseResolution(query: SeriesQuery, retention: Retention, now: number): Resolution {
  if (query.resolution && query.resolution !== "auto") return query.resolution;
  if (!query.from) return "raw";
  const from = Date.parse(query.from);
  const span = (query.to ? Date.parse(query.to) : now) - from;
  const age = now - from;
  if (span <= RAW_SPAN && age <= retention.raw_days * DAY) return "raw";
  if (span <= MINUTE_SPAN && age <= retention.minute_days * DAY) return "minute";
  return "hour";
}

/** Buckets oldest first, read like raw samples: from `from` on, or the latest `limit`. */
export async function readRollups(db: Db, hostId: string, resolution: "minute" | "hour", query: SeriesQuery) {
  const t = resolution === "minute" ? metricRollups1m : metricRollups1h;
  const filters: (SQL | undefined)[] = [eq(t.hostId, hostId)];
  if (query.from) filters.push(gte(t.bucket, Date.parse(query.from)));
  if (query.to) filters.push(lte(t.bucket, Date.parse(query.to)));
  const rows = await db
    .select()
    .from(t)
    .where(and(...filters))
    .orderBy(query.from ? asc(t.bucket) : desc(t.bucket))
    .limit(query.limit);
  if (!query.from) rows.reverse();
  // Back to SQL column names, the one row shape the bucket arithmetic reads.
  const names = Object.entries(getTableColumns(t)).map(([key, col]) => [key, col.name] as const);
  return viewRows(
    t === metricRollups1m ? "metric_rollups_1m" : "metric_rollups_1h",
    rows,
    SampleSchema,
    (r) =>
      toSeriesItem(fromRow(Object.fromEntries(names.map(([key, name]) => [name, r[key as keyof typeof r]])))),
    (r) => `${r.hostId}@${r.bucket}`,
  );
}
