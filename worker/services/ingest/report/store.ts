/**
 * Bulk writes of a report: samples (into the host object's SQLite, worker/objects/host/history.ts)
 * and service states (into D1) go in as JSON arrays expanded by json_each, so one statement binds
 * 2-4 parameters however many rows it carries (D1 allows 100 bound parameters a statement).
 * Chunks keep each statement's JSON a modest size. A steady report's sample or two are bound
 * directly instead: building and re-reading the JSON cost more than the rows.
 */
import type { EngineSample, Metrics } from "../../../../agent/engine";
import type { ServiceState } from "../../../../agent/protocol";
import type { RawStatement, Statement } from "../../../db/client";

const SAMPLES_PER_STATEMENT = 500;

/** Metrics with a column of their own; everything else goes to `extra`. */
const COLUMNS: [string, string][] = [
  ["cpu", "cpu"],
  ["memory", "memory"],
  ["disk", "disk"],
  ["load1", "load1"],
  ["net.rx", "net_rx"],
  ["net.tx", "net_tx"],
];
const COLUMN_METRICS = new Set(COLUMNS.map(([metric]) => metric));

const at = (i: number) => `json_extract(value, '$[${i}]')`;

/** The host object's samples table has no host column: the object is the host. */
const INSERT_SAMPLES = `INSERT OR IGNORE INTO samples (ts, cpu, memory, disk, load1, net_rx, net_tx, extra)
  SELECT ${[0, 1, 2, 3, 4, 5, 6, 7].map(at).join(", ")} FROM json_each(?)`;

const DELETE_GONE_SERVICES = `DELETE FROM service_states
  WHERE host_id = ? AND name NOT IN (SELECT value FROM json_each(?))`;

// "WHERE true" lets SQLite parse ON CONFLICT after INSERT ... SELECT.
const UPSERT_SERVICES = `INSERT INTO service_states (host_id, name, kind, status, detail, stopped, changed_at, updated_at)
  SELECT ?, ${[0, 1, 2, 3, 4].map(at).join(", ")}, ?, ? FROM json_each(?) WHERE true
  ON CONFLICT (host_id, name) DO UPDATE SET
    kind = excluded.kind,
    detail = excluded.detail,
    stopped = excluded.stopped,
    updated_at = excluded.updated_at,
    changed_at = CASE WHEN service_states.status = excluded.status
      THEN service_states.changed_at ELSE excluded.changed_at END,
    status = excluded.status
  WHERE service_states.status IS NOT excluded.status OR service_states.kind IS NOT excluded.kind
    OR service_states.detail IS NOT excluded.detail OR service_states.stopped IS NOT excluded.stopped`;

function sampleRow(sample: EngineSample): unknown[] {
  const extra: Metrics = {};
  for (const [name, value] of Object.entries(sample.metrics))
    if (!COLUMN_METRICS.has(name)) extra[name] = value;
  const columns = COLUMNS.map(([metric]) => sample.metrics[metric] ?? null);
  return [sample.ts, ...columns, Object.keys(extra).length > 0 ? extra : null];
}

const INSERT_SAMPLE = `INSERT OR IGNORE INTO samples (ts, cpu, memory, disk, load1, net_rx, net_tx, extra)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
/** Up to this many samples go in a statement each, bound directly: cheaper than json_each for few. */
const DIRECT_SAMPLES = 16;

/** Duplicates (same ts) are ignored, so a re-sent backfill is harmless. */
export function insertSamples(samples: EngineSample[]): RawStatement[] {
  if (samples.length <= DIRECT_SAMPLES)
    return samples.map((sample) => {
      const row = sampleRow(sample);
      const extra = row[7];
      row[7] = extra === null ? null : JSON.stringify(extra);
      return { raw: INSERT_SAMPLE, params: row };
    });
  const statements: RawStatement[] = [];
  for (let i = 0; i < samples.length; i += SAMPLES_PER_STATEMENT) {
    const rows = JSON.stringify(samples.slice(i, i + SAMPLES_PER_STATEMENT).map(sampleRow));
    statements.push({ raw: INSERT_SAMPLES, params: [rows] });
  }
  return statements;
}

/**
 * Upserts the full service list and drops services no longer configured. changed_at moves only
 * when the status changes (SET expressions see the row as it was before the update); a service
 * reported as it was is not rewritten at all (updated_at: when its state last changed in any
 * way), so a steady fleet's reports write no service rows.
 */
export function upsertServices(hostId: string, services: ServiceState[], now: number): Statement[] {
  const rows = JSON.stringify(
    services.map((s) => [s.name, s.kind, s.status, s.detail ?? null, s.stopped ? 1 : 0]),
  );
  const names = JSON.stringify(services.map((s) => s.name));
  const statements: Statement[] = [{ raw: DELETE_GONE_SERVICES, params: [hostId, names] }];
  if (services.length > 0) statements.push({ raw: UPSERT_SERVICES, params: [hostId, now, now, rows] });
  return statements;
}
