/**
 * The arithmetic of rollup buckets (./run.ts). A bucket holds avg/min/max/n per
 * metric; merging two buckets is exact up to float rounding, so new samples can be folded into
 * what a bucket already holds without reading its raw samples again.
 */
import type { MetricStat } from "../../db/schema";

/** metric_samples' wide columns, by SQL name, with the metric name the agent reports. */
export const SAMPLE_COLUMNS = [
  ["cpu", "cpu"],
  ["memory", "memory"],
  ["disk", "disk"],
  ["load1", "load1"],
  ["net_rx", "net.rx"],
  ["net_tx", "net.tx"],
] as const;
type Column = (typeof SAMPLE_COLUMNS)[number][0];

/** The rollup tables' columns in the order toRow writes them. */
export const ROLLUP_COLUMNS = [
  "host_id",
  "bucket",
  "n",
  ...SAMPLE_COLUMNS.flatMap(([c]) => [`${c}_avg`, `${c}_min`, `${c}_max`, `${c}_n`]),
  "extra",
];

export type SampleRow = { host_id: string; ts: number; extra: string | null } & Record<Column, number | null>;

export interface Bucket {
  hostId: string;
  bucket: number;
  n: number;
  stats: Partial<Record<Column, MetricStat>>;
  extra: Record<string, MetricStat>;
}

const merge = (a: MetricStat | undefined, b: MetricStat): MetricStat => {
  if (!a) return { ...b };
  const n = a.n + b.n;
  return {
    avg: (a.avg * a.n + b.avg * b.n) / n,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    n,
  };
};
const one = (v: number): MetricStat => ({ avg: v, min: v, max: v, n: 1 });
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Folds a raw sample, or another bucket of the same key, into `into`. */
export function fold(into: Bucket, what: SampleRow | Bucket) {
  if ("stats" in what) {
    into.n += what.n;
    for (const [c, s] of Object.entries(what.stats) as [Column, MetricStat][])
      into.stats[c] = merge(into.stats[c], s);
    for (const [name, s] of Object.entries(what.extra)) into.extra[name] = merge(into.extra[name], s);
    return;
  }
  into.n += 1;
  for (const [c] of SAMPLE_COLUMNS) {
    const v = what[c];
    if (isNumber(v)) into.stats[c] = merge(into.stats[c], one(v));
  }
  const extra = what.extra ? (JSON.parse(what.extra) as Record<string, unknown>) : {};
  for (const [name, v] of Object.entries(extra))
    if (isNumber(v)) into.extra[name] = merge(into.extra[name], one(v));
}

export function toRow(b: Bucket): unknown[] {
  const stats = SAMPLE_COLUMNS.flatMap(([c]) => {
    const s = b.stats[c];
    return s ? [s.avg, s.min, s.max, s.n] : [null, null, null, 0];
  });
  return [b.hostId, b.bucket, b.n, ...stats, Object.keys(b.extra).length ? b.extra : null];
}

export function fromRow(row: Record<string, unknown>): Bucket {
  const b: Bucket = {
    hostId: String(row.host_id),
    bucket: Number(row.bucket),
    n: Number(row.n),
    stats: {},
    extra: {},
  };
  for (const [c] of SAMPLE_COLUMNS) {
    const n = Number(row[`${c}_n`] ?? 0);
    if (n > 0)
      b.stats[c] = {
        avg: Number(row[`${c}_avg`]),
        min: Number(row[`${c}_min`]),
        max: Number(row[`${c}_max`]),
        n,
      };
  }
  if (typeof row.extra === "string") b.extra = JSON.parse(row.extra);
  else if (row.extra && typeof row.extra === "object") b.extra = row.extra as Record<string, MetricStat>;
  return b;
}

/** A bucket as the series endpoint serves it: avg as `metrics`, with min, max and n beside. */
export function toSeriesItem(b: Bucket) {
  const metrics: Record<string, number> = {};
  const min: Record<string, number> = {};
  const max: Record<string, number> = {};
  const put = (name: string, s: MetricStat) => {
    metrics[name] = s.avg;
    min[name] = s.min;
    max[name] = s.max;
  };
  for (const [name, s] of Object.entries(b.extra)) put(name, s);
  for (const [c, name] of SAMPLE_COLUMNS) {
    const s = b.stats[c];
    if (s) put(name, s);
  }
  return { ts: new Date(b.bucket).toISOString(), metrics, min, max, n: b.n };
}
