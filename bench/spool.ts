/**
 * The offline spool's cost: one fsynced append per sample while the edge is away, and
 * bytes per sample on disk. `npx tsx bench/spool.ts [samples] [metrics]` (defaults: 300, 60, a
 * host with a few mounts, NICs and services). Prints the median of 5 runs, in stateDir's filesystem
 * ($BENCH_DIR, else the OS temp dir).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Spool } from "../agent/src/transport/spool";

const count = Number(process.argv[2] ?? 300);
const metricCount = Number(process.argv[3] ?? 60);
const sample = (i: number) => ({
  ts: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  metrics: Object.fromEntries(
    Array.from({ length: metricCount }, (_, k) => [
      `disk:/mnt/volume${k}`,
      Math.round(Math.random() * 10000) / 100,
    ]),
  ),
});

function run() {
  const dir = mkdtempSync(path.join(process.env.BENCH_DIR ?? tmpdir(), "spool-bench-"));
  const spool = new Spool(dir, 64 * 1024 * 1024);
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) spool.append([{ s: sample(i) }]);
  const perAppendMs = Number(process.hrtime.bigint() - started) / 1e6 / count;
  const readStarted = process.hrtime.bigint();
  const read = spool.read({ samples: 2000, results: 200, bytes: 768 * 1024 });
  const readMs = Number(process.hrtime.bigint() - readStarted) / 1e6;
  const bytes = spool.size.bytes / count;
  spool.close();
  rmSync(dir, { recursive: true, force: true });
  return { perAppendMs, bytes, readMs, batch: read.entries.length };
}

const runs = Array.from({ length: 5 }, run);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const perAppendMs = median(runs.map((r) => r.perAppendMs));
const bytes = median(runs.map((r) => r.bytes));
console.log(
  `spool: ${count} samples of ${metricCount} metrics, median of 5 runs\n` +
    `  append + fdatasync per sample: ${perAppendMs.toFixed(2)} ms\n` +
    `  bytes per sample on disk:      ${Math.round(bytes)}\n` +
    `  64 MB cap holds:               ${Math.floor((64 * 1024 * 1024) / bytes)} samples ` +
    `(${((64 * 1024 * 1024) / bytes / 3600).toFixed(1)} h at a 1 s interval)\n` +
    `  reading one report batch:      ${median(runs.map((r) => r.readMs)).toFixed(1)} ms ` +
    `(${runs[0].batch} samples)`,
);
