// npm run bench:ingest [-- --hosts 100,1000,5000 --seconds 10 --runs 3 --concurrency 16 --floor --idle 20]
// Simulated agents post realistic reports (one sample of the real agent's metrics, three
// services) to the real Worker on local workerd (wrangler dev, local D1). Per fleet size it
// prints the median of --runs runs: reports/s, p50/p99 latency, payload bytes, and from the
// Worker's Server-Timing header D1 rows read/written, D1 calls and time in D1 vs JS per report;
// plus who used the CPU (the bench client and workerd share this machine's cores). --floor
// first measures what local workerd can do at all (bench/lib/floor-worker.js).
//
// Two kinds of report, measured apart: steady (every host's object in memory: each timed run
// follows an untimed report from every host) and cold (each host's object evicted: after --idle
// seconds with no request, one report per host, timed). workerd evicts an object left idle for
// about 10 s (measured: see docs/scaling.md); --idle 0 skips the cold pass.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Agent } from "undici";
import { api, applyMigrations, freePort, newSecret, startWorker } from "../scripts/lib/stack.mjs";
import { stopChildrenOnExit } from "./lib/exit";
import { startFloorWorker } from "./lib/floor";
import { closedLoop, errorsText, type LoadResult, mean, median, pct, type Role, type Sent } from "./lib/load";
import { reportBody } from "./lib/report-body";
import { retried } from "./lib/retried";
import { storageReport } from "./lib/storage";

const { values } = parseArgs({
  options: {
    hosts: { type: "string", default: "100,1000,5000" },
    seconds: { type: "string", default: "10" },
    runs: { type: "string", default: "3" },
    concurrency: { type: "string", default: "16" },
    floor: { type: "boolean", default: false },
    idle: { type: "string", default: "20" },
  },
});
const fleets = values.hosts.split(",").map(Number);
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const concurrency = Number(values.concurrency);
const idleSeconds = Number(values.idle);
const dispatcher = new Agent({ connections: concurrency * 2, keepAliveTimeout: 30_000 });

const dir = mkdtempSync(path.join(tmpdir(), "selfheal-ingest-"));
stopChildrenOnExit(dir);
const admin = newSecret();
const persistTo = path.join(dir, "wrangler");
await applyMigrations(persistTo);
const worker = await startWorker({ port: await freePort(), persistTo, adminToken: admin });
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "n/a");

/** Medians over runs of each run's figure. */
function summary(label: string, results: LoadResult[], bytes?: number) {
  const m = (f: (r: LoadResult) => number) => median(results.map(f));
  // Per-report D1 figures pooled over the runs (a run at a big fleet may hold few steady reports).
  const t = (name: string) => mean(results.flatMap((r) => r.timings.get(name) ?? []));
  const parts = [
    `${label}: ${m((r) => r.perSecond).toFixed(0)} req/s`,
    `p50 ${f1(m((r) => pct(r.latencies, 50)))} ms`,
    `p99 ${f1(m((r) => pct(r.latencies, 99)))} ms`,
    errorsText(results),
  ];
  if (bytes !== undefined) parts.push(`${bytes} B/report`);
  if (results[0].timings.has("d1_rows_written"))
    parts.push(
      `D1/report: ${f1(t("d1_calls"))} calls, ${f1(t("d1_rows_read"))} rows read, ${f1(t("d1_rows_written"))} written, ` +
        `${f1(t("d1"))} ms in D1, ${f1(t("js"))} ms JS, ${f1(t("total"))} ms in Worker`,
    );
  // a cold report's host object was rebuilt from its storage (evicted since its last report)
  if (results[0].timings.has("object_cold")) parts.push(`${(100 * t("object_cold")).toFixed(0)} % cold`);
  else if (results[0].timings.has("d1")) parts.push(`${f1(t("d1"))} ms in D1`);
  // CPU per request holds up on a shared machine where req/s does not: the Worker's JS runs on
  // one thread, so 1000 / (its ms per request) is what one free core would serve.
  const cpuMs = m((r) => (r.cpu.worker * 10) / r.perSecond);
  const roleMs = (role: Role) => m((r) => (r.cpu.byRole[role] * 10) / r.perSecond);
  parts.push(
    `wrangler+workerd CPU ${cpuMs.toFixed(1)} ms/req (≈${(1000 / cpuMs).toFixed(0)} req/s per free core)` +
      ` = Worker+D1 ${roleMs("worker").toFixed(1)} (≈${(1000 / roleMs("worker")).toFixed(0)} req/s per free core)` +
      ` + dev proxy ${roleMs("proxy").toFixed(1)} + wrangler ${roleMs("wrangler").toFixed(1)}`,
    `CPU % of a core: client ${m((r) => r.cpu.client).toFixed(0)}, workerd ${m((r) => r.cpu.worker).toFixed(0)}, ` +
      `machine ${m((r) => r.cpu.machine).toFixed(0)}/${results[0].cpu.cores * 100}`,
  );
  console.log(parts.join(", "));
}

/**
 * A closed loop's latency floor (Little's law): C requests always in flight at X req/s spend
 * C / X each on average, and a p99 is at least the mean.
 */
function closedLoopFloor(results: LoadResult[]) {
  const x = median(results.map((r) => r.perSecond));
  const measured = median(results.map((r) => mean(r.latencies)));
  console.log(
    `  closed loop (Little's law): mean latency = C / X = ${concurrency} / ${x.toFixed(0)} req/s = ` +
      `${f1((1000 * concurrency) / x)} ms (measured mean ${f1(measured)} ms); ` +
      `p99 <= 50 ms needs mean <= 50 ms, so X >= ${concurrency} / 0.050 s = ${(concurrency / 0.05).toFixed(0)} req/s`,
  );
}

async function measure(pgid: number, next: (i: number) => Sent) {
  const results: LoadResult[] = [];
  for (let run = 0; run < runs; run++)
    results.push(await closedLoop({ dispatcher, concurrency, seconds, workerPgid: pgid, next }));
  return results;
}

let floor: Awaited<ReturnType<typeof startFloorWorker>> | null = null;
let floorHost = "";
try {
  console.log(`concurrency ${concurrency}, ${runs} runs of ${seconds} s each, medians`);
  const { token: enroll } = await api(worker.url, admin, "POST", "/api/v1/tokens", {
    scope: "enroll",
    name: "bench",
  });
  const tokens: string[] = [];
  const hostIds: string[] = [];
  const reported = new Set<number>();
  if (values.floor) {
    floor = await startFloorWorker(persistTo);
    const { hostId } = await api(worker.url, enroll, "POST", "/api/v1/agent/enroll", { name: "floor" });
    floorHost = hostId;
    const body = reportBody(0);
    for (const [label, p] of [
      ["floor: no-op", "/noop"],
      ["floor: 1 SELECT", "/select"],
      ["floor: 3 sequential SELECTs", "/select?n=3"],
      ["floor: 1 batch of 14 SELECTs", "/batch?n=14"],
      ["floor: 1 write batch (2 stmts)", "/write"],
    ] as const) {
      const url = `${floor.url}${p}${p.includes("?") ? "&" : "?"}id=${hostId}`;
      summary(label, await measure(floor.pgid, () => ({ url, body })));
    }
    summary(
      "app: GET /api/health",
      await measure(worker.proc.pid ?? 0, () => ({ url: `${worker.url}/api/health` })),
    );
  }
  for (const fleet of fleets) {
    // Enrol up to this fleet size (fleets grow: 100, then 900 more, then 4000 more).
    const start = Date.now();
    for (let i = tokens.length; i < fleet; i += concurrency) {
      const batch = Array.from({ length: Math.min(concurrency, fleet - i) }, (_, k) =>
        retried(() => api(worker.url, enroll, "POST", "/api/v1/agent/enroll", { name: `sim-${i + k}` })),
      );
      for (const r of await Promise.all(batch)) {
        tokens.push(r.agentToken);
        hostIds.push(r.hostId);
      }
    }
    if (Date.now() - start > 1000)
      console.log(`  enrolled ${tokens.length} hosts in ${((Date.now() - start) / 1000).toFixed(1)} s`);
    /** One untimed report from each of these hosts: after it, their objects are in memory. */
    const reportOnce = async (indices: number[]) => {
      for (let k = 0; k < indices.length; k += concurrency)
        await Promise.all(
          indices.slice(k, k + concurrency).map(async (i) => {
            const res = await fetch(`${worker.url}/api/v1/agent/report`, {
              method: "POST",
              headers: { authorization: `Bearer ${tokens[i]}`, "content-type": "application/json" },
              body: reportBody(i),
            });
            await res.arrayBuffer();
            reported.add(i);
          }),
        );
    };
    const all = Array.from({ length: fleet }, (_, i) => i);
    // Each new host's first report looks its token up and has its object read the host's rows
    // from D1 once; the runs measure the steady reports that follow.
    const fresh = all.filter((i) => !reported.has(i));
    const warm = Date.now();
    await reportOnce(fresh);
    if (fresh.length)
      console.log(`  first reports of ${fresh.length} hosts in ${((Date.now() - warm) / 1000).toFixed(1)} s`);
    let bytes = 0;
    let first = 0;
    let cursor = 0; // across runs, so every host of the fleet takes its turn
    const next = () => {
      const i = cursor++ % fleet;
      const body = reportBody(i);
      bytes = Buffer.byteLength(body);
      const steady = reported.has(i);
      if (!steady) first++;
      reported.add(i);
      return {
        url: `${worker.url}/api/v1/agent/report`,
        headers: { authorization: `Bearer ${tokens[i]}`, "content-type": "application/json" },
        body,
        steady,
      };
    };
    // With --floor, each run of the reports follows a run of the no-op floor Worker, so the two
    // share the machine's load of the moment (other processes come and go on a shared machine)
    // and the ratios are taken pair by pair. Every host's object sits idle through the no-op run
    // and workerd evicts it, so each timed run follows an untimed report from every host: the run
    // then measures steady reports (its cold share says so), the cold ones are measured below.
    const results: LoadResult[] = [];
    const noops: LoadResult[] = [];
    for (let run = 0; run < runs; run++) {
      if (floor) {
        const url = `${floor.url}/noop?id=${floorHost}`;
        const body = reportBody(0);
        noops.push(
          await closedLoop({
            dispatcher,
            concurrency,
            seconds,
            workerPgid: floor.pgid,
            next: () => ({ url, body }),
          }),
        );
      }
      await reportOnce(all);
      results.push(
        await closedLoop({ dispatcher, concurrency, seconds, workerPgid: worker.proc.pid ?? 0, next }),
      );
    }
    summary(`${String(fleet).padStart(5)} hosts, steady`, results, bytes);
    closedLoopFloor(results);
    if (noops.length) {
      summary("  no-op floor, runs interleaved", noops);
      const pairs = (f: (r: LoadResult, n: LoadResult) => number) =>
        median(results.map((r, i) => f(r, noops[i])));
      console.log(
        `  reports vs no-op, median of ${runs} side-by-side pairs: req/s ${(100 * pairs((r, n) => r.perSecond / n.perSecond)).toFixed(0)} %, ` +
          `p50 +${f1(pairs((r, n) => pct(r.latencies, 50) - pct(n.latencies, 50)))} ms, ` +
          `p99 +${f1(pairs((r, n) => pct(r.latencies, 99) - pct(n.latencies, 99)))} ms ` +
          `(×${pairs((r, n) => pct(r.latencies, 99) / pct(n.latencies, 99)).toFixed(2)})`,
      );
    }
    console.log(`  (${first} of these were a host's first report: D1 figures above leave them out)`);
    if (idleSeconds > 0) {
      // Cold: no request for --idle seconds (past workerd's eviction of idle objects), then one
      // report per host, each rebuilding its object from storage. The alarms the steady runs set
      // (a summary a second after a report) fire early in the wait, then those objects idle too.
      await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
      let k = 0;
      const cold = await closedLoop({
        dispatcher,
        concurrency,
        seconds: 600,
        count: fleet,
        workerPgid: worker.proc.pid ?? 0,
        next: () => {
          const i = k++ % fleet;
          return {
            url: `${worker.url}/api/v1/agent/report`,
            headers: { authorization: `Bearer ${tokens[i]}`, "content-type": "application/json" },
            body: reportBody(i),
          };
        },
      });
      summary(
        `${String(fleet).padStart(5)} hosts, cold: one report per host after ${idleSeconds} s idle`,
        [cold],
        bytes,
      );
    }
  }
  await worker.stop();
  await floor?.stop();
  for (const line of storageReport(persistTo, tokens.length)) console.log(line);
} finally {
  await floor?.stop();
  await dispatcher.close();
  await worker.stop();
  rmSync(dir, { recursive: true, force: true });
}
