/**
 * Retention, run by the Cron Trigger. First the samples stored since the last run are
 * rolled up into 1-minute and 1-hour aggregates, then raw samples and aggregates past the org's
 * retention are deleted, a bounded chunk at a time so one run stays within a Worker's limits.
 *
 * Incremental and exactly-once: new rows are found by rowid (SQLite appends with increasing
 * rowids whatever the sample's ts, so a sample an agent delivers late from its spool is still
 * read once), merged into the existing buckets, and the watermark moves in the same atomic batch
 * as the merged buckets, guarded by its old value: a run that dies or races another changes
 * nothing or everything.
 */
import { type Db, type RawStatement, runBatch } from "../../db/client";
import { type HealingConfig, RETENTION_DEFAULTS } from "../../schemas/config";
import { resolveConfig } from "../config/healing-config";
import { type Bucket, fold, fromRow, ROLLUP_COLUMNS, type SampleRow, toRow } from "./buckets";

const DAY = 86_400_000;
const WATERMARK = "metric_samples";
/** Samples read per rollup batch, and batches per run: ~16 000 samples a minute. */
const CHUNK = 2000;
const MAX_CHUNKS = 8;
/** Rows deleted per statement, and delete rounds per run. */
const DELETE_LIMIT = 5000;
const MAX_DELETE_ROUNDS = 6;

export const ROLLUPS = {
  minute: { table: "metric_rollups_1m", ms: 60_000 },
  hour: { table: "metric_rollups_1h", ms: 3_600_000 },
} as const;

export type Retention = { raw_days: number; minute_days: number; hour_days: number };
export const retentionOf = (config: HealingConfig): Retention => ({
  ...RETENTION_DEFAULTS,
  ...config.retention,
});

const CURRENT = `coalesce((SELECT rowid_upto FROM rollup_watermarks WHERE name = '${WATERMARK}'), 0)`;

export async function runRetention(db: Db, now: number) {
  const rolled = await rollUp(db, now);
  const deleted = await prune(db, now);
  return { rolled, deleted };
}

/** Rolls up to MAX_CHUNKS × CHUNK new samples; returns how many it read. */
export async function rollUp(db: Db, now: number): Promise<number> {
  const d1 = db.$client;
  let read = 0;
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const [mark, top] = await d1.batch<{ v: number | null }>([
      d1.prepare(`SELECT ${CURRENT} AS v`),
      d1.prepare("SELECT max(rowid) AS v FROM metric_samples"),
    ]);
    const from = mark.results[0]?.v ?? 0;
    const upto = Math.min(from + CHUNK, top.results[0]?.v ?? 0);
    if (upto <= from) break;
    read += await rollChunk(db, from, upto, now);
  }
  return read;
}

/**
 * Merges the samples with rowids in (from, upto] into their buckets and moves the watermark to
 * upto, in one batch that applies only if the watermark still reads `from`: a run that lost a race
 * writes nothing. Returns how many samples it read.
 */
export async function rollChunk(db: Db, from: number, upto: number, now: number): Promise<number> {
  const { results: rows } = await db.$client
    .prepare(
      "SELECT host_id, ts, cpu, memory, disk, load1, net_rx, net_tx, extra FROM metric_samples WHERE rowid > ? AND rowid <= ?",
    )
    .bind(from, upto)
    .all<SampleRow>();
  const writes: RawStatement[] = [];
  for (const { table, ms } of Object.values(ROLLUPS)) writes.push(await mergeInto(db, table, ms, rows, from));
  writes.push({
    raw: `INSERT INTO rollup_watermarks (name, rowid_upto, updated_at) SELECT ?, ?, ? WHERE ${CURRENT} = ?
          ON CONFLICT (name) DO UPDATE SET rowid_upto = excluded.rowid_upto, updated_at = excluded.updated_at`,
    params: [WATERMARK, upto, now, from],
  });
  await runBatch(db, writes);
  return rows.length;
}

/** The upsert of the buckets the rows fall in, each merged with what the bucket already held. */
async function mergeInto(db: Db, table: string, ms: number, rows: SampleRow[], from: number) {
  const buckets = new Map<string, Bucket>();
  for (const r of rows) {
    const bucket = Math.floor(r.ts / ms) * ms;
    const key = `${r.host_id}\u0000${bucket}`;
    const b = buckets.get(key) ?? { hostId: r.host_id, bucket, n: 0, stats: {}, extra: {} };
    buckets.set(key, b);
    fold(b, r);
  }
  const keys = JSON.stringify([...buckets.values()].map((b) => [b.hostId, b.bucket]));
  const { results: existing } = await db.$client
    .prepare(
      `SELECT * FROM ${table} WHERE (host_id, bucket) IN
         (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))`,
    )
    .bind(keys)
    .all<Record<string, unknown>>();
  for (const row of existing) {
    const old = fromRow(row);
    fold(buckets.get(`${old.hostId}\u0000${old.bucket}`) as Bucket, old);
  }
  const picks = ROLLUP_COLUMNS.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ");
  return {
    raw: `INSERT OR REPLACE INTO ${table} (${ROLLUP_COLUMNS.join(", ")})
          SELECT ${picks} FROM json_each(?) WHERE ${CURRENT} = ?`,
    params: [JSON.stringify([...buckets.values()].map(toRow)), from],
  };
}

/**
 * Deletes what each org keeps no longer. Raw rows go only once rolled up (rowid at most the
 * watermark), and never the newest row: SQLite would hand its rowid out again, under the mark.
 */
export async function prune(db: Db, now: number) {
  const { results: orgs } = await db.$client
    .prepare("SELECT o.id, s.config FROM orgs o LEFT JOIN settings s ON s.org_id = o.id")
    .all<{ id: string; config: string | null }>();
  const deleted = { raw: 0, minute: 0, hour: 0 };
  const hostsOf = "host_id IN (SELECT id FROM hosts WHERE org_id = ?)";
  for (let round = 0; round < MAX_DELETE_ROUNDS; round++) {
    const statements: RawStatement[] = [];
    for (const org of orgs) {
      const r = retentionOf(resolveConfig(org.config ? JSON.parse(org.config) : null));
      statements.push(
        {
          raw: `DELETE FROM metric_samples WHERE rowid IN (SELECT rowid FROM metric_samples WHERE ${hostsOf}
                AND ts < ? AND rowid <= ${CURRENT} AND rowid < (SELECT max(rowid) FROM metric_samples) LIMIT ?)`,
          params: [org.id, now - r.raw_days * DAY, DELETE_LIMIT],
        },
        ...(["minute", "hour"] as const).map((res) => ({
          raw: `DELETE FROM ${ROLLUPS[res].table} WHERE rowid IN
                (SELECT rowid FROM ${ROLLUPS[res].table} WHERE ${hostsOf} AND bucket < ? LIMIT ?)`,
          params: [org.id, now - r[`${res}_days`] * DAY, DELETE_LIMIT],
        })),
      );
    }
    const results = await runBatch(db, statements);
    let full = false;
    results.forEach((res, i) => {
      const changes = res.meta.changes ?? 0;
      deleted[(["raw", "minute", "hour"] as const)[i % 3]] += changes;
      if (changes >= DELETE_LIMIT) full = true;
    });
    if (!full) break;
  }
  return deleted;
}
