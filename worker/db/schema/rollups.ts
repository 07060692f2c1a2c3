import { integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Per-metric aggregate of the samples in a bucket; `n` counts the samples that had the metric. */
export interface MetricStat {
  avg: number;
  min: number;
  max: number;
  n: number;
}

/**
 * The columns of a rollup row (retention): avg/min/max/n of each wide column of
 * metric_samples, plus `extra` (the same per name for metrics without a column). A fresh object
 * per call: drizzle binds each column builder to one table.
 */
const rollupColumns = () => ({
  hostId: text("host_id").notNull(),
  /** Start of the bucket (epoch ms). */
  bucket: integer("bucket").notNull(),
  /** Samples in the bucket. */
  n: integer("n").notNull(),
  cpuAvg: real("cpu_avg"),
  cpuMin: real("cpu_min"),
  cpuMax: real("cpu_max"),
  cpuN: integer("cpu_n").notNull().default(0),
  memoryAvg: real("memory_avg"),
  memoryMin: real("memory_min"),
  memoryMax: real("memory_max"),
  memoryN: integer("memory_n").notNull().default(0),
  diskAvg: real("disk_avg"),
  diskMin: real("disk_min"),
  diskMax: real("disk_max"),
  diskN: integer("disk_n").notNull().default(0),
  load1Avg: real("load1_avg"),
  load1Min: real("load1_min"),
  load1Max: real("load1_max"),
  load1N: integer("load1_n").notNull().default(0),
  netRxAvg: real("net_rx_avg"),
  netRxMin: real("net_rx_min"),
  netRxMax: real("net_rx_max"),
  netRxN: integer("net_rx_n").notNull().default(0),
  netTxAvg: real("net_tx_avg"),
  netTxMin: real("net_tx_min"),
  netTxMax: real("net_tx_max"),
  netTxN: integer("net_tx_n").notNull().default(0),
  extra: text("extra", { mode: "json" }).$type<Record<string, MetricStat>>(),
});

/** 1-minute aggregates of metric_samples, kept retention.minute_days. */
export const metricRollups1m = sqliteTable("metric_rollups_1m", rollupColumns(), (t) => [
  primaryKey({ columns: [t.hostId, t.bucket] }),
]);

/** 1-hour aggregates of metric_samples, kept retention.hour_days. */
export const metricRollups1h = sqliteTable("metric_rollups_1h", rollupColumns(), (t) => [
  primaryKey({ columns: [t.hostId, t.bucket] }),
]);

/**
 * How far the rollup has read metric_samples, by rowid: rows are appended with increasing rowids
 * whatever their ts, so a sample that arrives late (an agent's spool) is still rolled up once.
 */
export const rollupWatermarks = sqliteTable("rollup_watermarks", {
  name: text("name").primaryKey(),
  rowidUpto: integer("rowid_upto").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
