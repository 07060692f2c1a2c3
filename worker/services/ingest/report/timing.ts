/**
 * The report response's Server-Timing header (read by bench:ingest): time in the Worker since
 * the request's database handle was made, how much of it waited on D1 and how much was ours
 * (JS: validation, the engine, building statements), and the D1 calls and rows behind it.
 * Locally the clock moves during JS; in production it only moves across I/O, so there "js"
 * reads near zero and the CPU-time limit is the figure to watch.
 */
import type { D1Meter } from "../../../db/client";

export function serverTiming(meter: D1Meter, objectCold?: boolean, now = performance.now()): string {
  const total = now - meter.startedAt;
  return [
    `total;dur=${total.toFixed(2)}`,
    `d1;dur=${meter.ms.toFixed(2)}`,
    `js;dur=${Math.max(0, total - meter.ms).toFixed(2)}`,
    `d1_calls;desc=${meter.calls}`,
    `d1_rows_read;desc=${meter.rowsRead}`,
    `d1_rows_written;desc=${meter.rowsWritten}`,
    // 1 when the host's object was rebuilt from its storage for this report (bench:ingest's "cold")
    ...(objectCold === undefined ? [] : [`object_cold;desc=${objectCold ? 1 : 0}`]),
  ].join(", ");
}
