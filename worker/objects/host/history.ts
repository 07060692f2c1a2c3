/**
 * A host's metric history in its object's SQLite: raw samples, 1-minute and 1-hour rollups, and
 * retention run by the object's alarm. The same bucket arithmetic as D1's history
 * (services/retention/buckets.ts); the tables have no host column, since the object is the host.
 *
 * Samples are rolled up by rowid (appended in arrival order whatever their ts, so a late sample
 * from an agent's spool is folded in once), on every chart read and on the alarm, so reads
 * always see every sample and raw rows never pile up past the raw retention.
 */
import type { EngineSample } from "../../../agent/engine";
import { insertSamples } from "../../services/ingest/report/store";
import {
  type Bucket,
  fold,
  fromRow,
  ROLLUP_COLUMNS,
  SAMPLE_COLUMNS,
  type SampleRow,
  toRow,
  toSeriesItem,
} from "../../services/retention/buckets";
import type { Retention } from "../../services/retention/run";
import type { KvReader } from "./start-read";

const DAY = 86_400_000;
const BUCKET_COLUMNS = ROLLUP_COLUMNS.slice(1); // no host_id
export const ROLLUP_TABLES = {
  minute: { table: "rollups_1m", ms: 60_000 },
  hour: { table: "rollups_1h", ms: 3_600_000 },
} as const;
const ROLLUP_COLUMN_TYPES = BUCKET_COLUMNS.map((c) =>
  c === "bucket"
    ? "bucket INTEGER PRIMARY KEY"
    : c === "extra"
      ? "extra TEXT"
      : `${c} ${c.endsWith("_n") || c === "n" ? "INTEGER" : "REAL"}`,
).join(", ");

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS samples (ts INTEGER NOT NULL UNIQUE, cpu REAL, memory REAL, disk REAL,
     load1 REAL, net_rx REAL, net_tx REAL, extra TEXT)`,
  ...Object.values(ROLLUP_TABLES).map(
    ({ table }) => `CREATE TABLE IF NOT EXISTS ${table} (${ROLLUP_COLUMN_TYPES})`,
  ),
  "CREATE TABLE IF NOT EXISTS marks (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
];
/** The schema this object's tables were made with: a changed statement runs them all again. */
const SCHEMA_KEY = "history-schema";
const SCHEMA_TEXT = SCHEMA.join(";\n");

export interface SeriesItem {
  ts: string;
  metrics: Record<string, number>;
  min?: Record<string, number>;
  max?: Record<string, number>;
  n?: number;
}

export interface Range {
  from?: number;
  to?: number;
  limit: number;
}

export class History {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly hostId: () => string,
    first: KvReader = storage.kv,
  ) {
    // once per object, not per start: an object is rebuilt whenever it was evicted or hibernated,
    // and the schema statements cost more than the one key read that says they ran
    if (first.get<string>(SCHEMA_KEY) === SCHEMA_TEXT) return;
    for (const statement of SCHEMA) storage.sql.exec(statement);
    storage.kv.put(SCHEMA_KEY, SCHEMA_TEXT);
  }

  private get sql() {
    return this.storage.sql;
  }

  /** Duplicates (same ts) are ignored, so a re-sent backfill is harmless. */
  insert(samples: EngineSample[]): void {
    for (const s of insertSamples(samples)) this.sql.exec(s.raw, ...(s.params as SqlStorageValue[]));
  }

  /** The oldest sample's ts (or bucket, for rollups) this object holds, or null when none. */
  oldest(resolution: "raw" | "minute" | "hour"): number | null {
    const q =
      resolution === "raw"
        ? "SELECT min(ts) AS v FROM samples"
        : `SELECT min(bucket) AS v FROM ${ROLLUP_TABLES[resolution].table}`;
    const v = this.sql.exec<{ v: number | null }>(q).one().v;
    return v ?? null;
  }

  /** Raw samples oldest first: from `from` on, or the latest `limit`. */
  raw(range: Range): SampleRow[] {
    const where: string[] = [];
    const params: number[] = [];
    if (range.from !== undefined) where.push("ts >= ?") && params.push(range.from);
    if (range.to !== undefined) where.push("ts <= ?") && params.push(range.to);
    const rows = this.sql
      .exec<SampleRow>(
        `SELECT ts, cpu, memory, disk, load1, net_rx, net_tx, extra FROM samples
         ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY ts ${range.from !== undefined ? "ASC" : "DESC"} LIMIT ?`,
        ...params,
        range.limit,
      )
      .toArray();
    if (range.from === undefined) rows.reverse();
    return rows;
  }

  /** Rollup buckets as the series endpoint serves them, oldest first. */
  rollups(resolution: "minute" | "hour", range: Range): SeriesItem[] {
    this.rollUp();
    const { table } = ROLLUP_TABLES[resolution];
    const where: string[] = [];
    const params: number[] = [];
    if (range.from !== undefined) where.push("bucket >= ?") && params.push(range.from);
    if (range.to !== undefined) where.push("bucket <= ?") && params.push(range.to);
    const rows = this.sql
      .exec(
        `SELECT * FROM ${table} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY bucket ${range.from !== undefined ? "ASC" : "DESC"} LIMIT ?`,
        ...params,
        range.limit,
      )
      .toArray();
    if (range.from === undefined) rows.reverse();
    return rows.map((r) => toSeriesItem(fromRow({ ...r, host_id: this.hostId() })));
  }

  /** Folds the samples stored since the last roll-up into their buckets; returns how many. */
  rollUp(): number {
    return this.storage.transactionSync(() => {
      const mark =
        this.sql.exec<{ value: number }>("SELECT value FROM marks WHERE name = 'rolled'").toArray()[0]
          ?.value ?? 0;
      const rows = this.sql
        .exec<SampleRow & { id: number }>(
          "SELECT rowid AS id, ts, cpu, memory, disk, load1, net_rx, net_tx, extra FROM samples WHERE rowid > ? ORDER BY rowid",
          mark,
        )
        .toArray();
      if (rows.length === 0) return 0;
      for (const { table, ms } of Object.values(ROLLUP_TABLES)) this.mergeInto(table, ms, rows);
      this.sql.exec(
        "INSERT INTO marks (name, value) VALUES ('rolled', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        rows[rows.length - 1].id,
      );
      return rows.length;
    });
  }

  private mergeInto(table: string, ms: number, rows: SampleRow[]) {
    const buckets = new Map<number, Bucket>();
    for (const r of rows) {
      const bucket = Math.floor(r.ts / ms) * ms;
      const b = buckets.get(bucket) ?? { hostId: "", bucket, n: 0, stats: {}, extra: {} };
      buckets.set(bucket, b);
      fold(b, r);
    }
    const placeholders = BUCKET_COLUMNS.map(() => "?").join(", ");
    for (const b of buckets.values()) {
      const existing = this.sql.exec(`SELECT * FROM ${table} WHERE bucket = ?`, b.bucket).toArray()[0];
      if (existing) fold(b, fromRow(existing));
      const values = toRow(b)
        .slice(1)
        .map((v) => (v !== null && typeof v === "object" ? JSON.stringify(v) : v)) as SqlStorageValue[];
      this.sql.exec(
        `INSERT OR REPLACE INTO ${table} (${BUCKET_COLUMNS.join(", ")}) VALUES (${placeholders})`,
        ...values,
      );
    }
  }

  /**
   * Deletes what the org keeps no longer. Raw rows go only once rolled up; the newest row stays,
   * so SQLite never hands its rowid out again under the mark.
   */
  prune(retention: Retention, now: number) {
    this.rollUp();
    const raw = this.sql.exec(
      "DELETE FROM samples WHERE ts < ? AND rowid <= coalesce((SELECT value FROM marks WHERE name = 'rolled'), 0) AND rowid < (SELECT max(rowid) FROM samples)",
      now - retention.raw_days * DAY,
    ).rowsWritten;
    const minute = this.sql.exec(
      "DELETE FROM rollups_1m WHERE bucket < ?",
      now - retention.minute_days * DAY,
    ).rowsWritten;
    const hour = this.sql.exec(
      "DELETE FROM rollups_1h WHERE bucket < ?",
      now - retention.hour_days * DAY,
    ).rowsWritten;
    return { raw, minute, hour };
  }
}

/** A stored sample back to the metric names the agent reported (columns + extra). */
export function sampleItem(r: SampleRow): SeriesItem {
  const metrics: Record<string, number> = r.extra ? (JSON.parse(r.extra) as Record<string, number>) : {};
  for (const [column, name] of SAMPLE_COLUMNS) {
    const v = r[column];
    if (v !== null && v !== undefined) metrics[name] = v;
  }
  return { ts: new Date(r.ts).toISOString(), metrics };
}
