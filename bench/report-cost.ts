// npm run bench:report-cost [-- --runs 3 --normal 60 --worst 8]
// What one report costs the real Worker (wrangler dev, local D1) whatever it carries. Per run it
// sends, one at a time: normal reports (one sample of the real agent's metrics, three services)
// to a fresh host; then, each to a fresh host of its own, the worst reports the protocol's limits
// allow, built to fill the largest body the edge takes in three ways (the most samples × new
// metric names; the most samples of 24 mounts the engine must trend; the most services, results,
// checks and gaps with the longest texts); then normal reports again to each of those hosts (a
// poisoned host must not stay slow: the slowest of the three is shown). It prints, as medians over
// the runs, the Worker process's CPU per report (/proc ticks of the workerd holding the D1 file:
// the JS and the local D1 both), the Server-Timing total, and each kind's ratio to a normal report.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { LIMITS } from "../agent/protocol";
import { api, applyMigrations, freePort, newSecret, startWorker } from "../scripts/lib/stack.mjs";
import { groupTicks, median, parseServerTiming } from "./lib/load";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    normal: { type: "string", default: "60" },
    worst: { type: "string", default: "8" },
  },
});
const runs = Number(values.runs);
/** The edge refuses bodies over the protocol's limit; the builders stay just under it. */
const BODY_BYTES = LIMITS.reportBytes - 256;

const dir = mkdtempSync(path.join(tmpdir(), "selfheal-report-cost-"));
const admin = newSecret();
const persistTo = path.join(dir, "wrangler");
await applyMigrations(persistTo);
const worker = await startWorker({ port: await freePort(), persistTo, adminToken: admin });
const pgid = worker.proc.pid ?? 0;

// Samples move forward from 6 hours ago, 200 ms apart: never twice the same ms, never in the future.
let clock = Date.now() - 6 * 3_600_000;
const nextTs = () => {
  clock += 200;
  return new Date(clock).toISOString();
};
let nameSeq = 0;

function normalReport() {
  return {
    protocol: 1,
    agentVersion: "0.1.0",
    reason: "interval",
    samples: [
      {
        ts: nextTs(),
        metrics: {
          ...{ cpu: 21.5, memory: 52.1, swap: 1.25, disk: 61.4, "disk:/": 61.4, "disk:/var": 40.02 },
          ...{ load1: 0.8, load5: 0.7, load15: 0.6, "net.rx": 12000, "net.tx": 9000 },
          ...{ "svc:web.cpu": 3, "svc:web.rss": 120_000_000, "svc:db.cpu": 2.5, "svc:db.rss": 400_000_000 },
        },
      },
    ],
    services: [
      { name: "web", kind: "process", status: "up", pid: 1000 },
      { name: "db", kind: "systemd", status: "up" },
      { name: "cache", kind: "docker", status: "up" },
    ],
    results: [],
  };
}

/** Adds items until the body would pass the byte budget. */
function fill<T>(body: { samples: unknown[] }, list: T[], max: number, make: (i: number) => T) {
  let size = JSON.stringify(body).length;
  for (let i = 0; i < max; i++) {
    const item = make(i);
    const bytes = JSON.stringify(item).length + 1;
    if (size + bytes > BODY_BYTES) break;
    list.push(item);
    size += bytes;
  }
}

/** Samples × metric names, every name new to the host and read by a trend rule (disk:*). */
function worstSamples(width: number) {
  const body = { ...normalReport(), samples: [] as unknown[] };
  const names = Array.from({ length: Math.min(width, LIMITS.metricsPerSample) }, () =>
    `disk:/${"m".repeat(40)}${(nameSeq++).toString(36)}`.slice(-LIMITS.metricNameChars),
  );
  fill(body, body.samples, LIMITS.samplesPerReport, (i) => ({
    ts: nextTs(),
    metrics: Object.fromEntries(names.map((n, k) => [n, 50 + ((i * 7 + k) % 40) / 3])),
  }));
  return body;
}

/** Every list at its cap with its longest texts. */
function worstTexts() {
  const body: Record<string, unknown> & { samples: unknown[] } = { ...normalReport() };
  const long = (n: number) => "x".repeat(n);
  const services: unknown[] = [];
  const results: unknown[] = [];
  const checks: unknown[] = [];
  const gaps: unknown[] = [];
  Object.assign(body, { services, results, checks, gaps });
  const at = Date.now() - 60_000;
  fill(body, gaps, LIMITS.gapsPerReport, (i) => ({
    from: new Date(at - (i + 2) * 60_000).toISOString(),
    to: new Date(at - (i + 1) * 60_000).toISOString(),
    samples: 10,
    results: 1,
  }));
  fill(body, services, LIMITS.servicesPerReport, (i) => ({
    name: `svc-${nameSeq++}`,
    kind: "process",
    status: i % 2 ? "up" : "down",
    detail: long(LIMITS.detailChars),
    logTail: Array.from({ length: LIMITS.logTailLines }, () => long(LIMITS.logLineChars)),
  }));
  fill(body, checks, LIMITS.checksPerReport, (i) => ({
    name: `chk-${i}`,
    status: "critical",
    output: long(LIMITS.checkOutputChars),
  }));
  fill(body, results, LIMITS.resultsPerReport, () => ({
    commandId: `local-${crypto.randomUUID()}`,
    status: "succeeded",
    exitCode: 0,
    output: `local autonomy: restart_service svc-1 (down)\n${long(LIMITS.outputChars)}`,
    durationMs: 1000,
    finishedAt: new Date(at).toISOString(),
  }));
  return body;
}

interface Cost {
  cpuMs: number;
  totalMs: number;
  bytes: number;
}

/** Sends `n` reports one after another; CPU per report from the Worker process's ticks. */
async function send(token: string, n: number, make: () => unknown): Promise<Cost> {
  const bodies = Array.from({ length: n }, () => JSON.stringify(make()));
  const totals: number[] = [];
  const before = groupTicks(pgid).worker;
  for (const body of bodies) {
    const res = await fetch(`${worker.url}/api/v1/agent/report`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`report answered ${res.status}: ${text.slice(0, 300)}`);
    const total = parseServerTiming(res.headers.get("server-timing") ?? "").find(([k]) => k === "total");
    if (total) totals.push(total[1]);
  }
  const ticks = groupTicks(pgid).worker - before;
  return { cpuMs: (ticks * 10) / n, totalMs: median(totals), bytes: bodies[0].length };
}

try {
  const { token: enroll } = await api(worker.url, admin, "POST", "/api/v1/tokens", {
    scope: "enroll",
    name: "bench",
  });
  const host = async (name: string) =>
    (await api(worker.url, enroll, "POST", "/api/v1/agent/enroll", { name })).agentToken as string;
  const nNormal = Number(values.normal);
  const nWorst = Number(values.worst);
  const kinds = [
    "normal",
    "worst: wide samples",
    "worst: 24 disks",
    "worst: texts",
    "normal, poisoned host",
  ] as const;
  const figures = new Map<string, Cost[]>(kinds.map((k) => [k, []]));
  for (let run = 0; run < runs; run++) {
    const clean = await host(`clean-${run}`);
    await send(clean, 5, normalReport); // the token lookup and first rows, left out
    figures.get("normal")?.push(await send(clean, nNormal, normalReport));
    // each worst kind on a fresh host (a full name registry would make the next one cheap)
    const poisoned: Cost[] = [];
    for (const [kind, make] of [
      ["worst: wide samples", () => worstSamples(Number.POSITIVE_INFINITY)],
      ["worst: 24 disks", () => worstSamples(24)],
      ["worst: texts", worstTexts],
    ] as const) {
      const token = await host(`${kind.replace(/\W+/g, "-")}-${run}`);
      figures.get(kind)?.push(await send(token, nWorst, make));
      poisoned.push(await send(token, nNormal, normalReport));
    }
    figures.get("normal, poisoned host")?.push(poisoned.reduce((a, b) => (b.cpuMs > a.cpuMs ? b : a)));
  }
  const med = (k: string, f: (c: Cost) => number) => median((figures.get(k) ?? []).map(f));
  const base = med("normal", (c) => c.cpuMs);
  console.log(`${runs} runs, medians; the machine is shared, so read the ratios rather than the ms`);
  for (const k of kinds) {
    const cpu = med(k, (c) => c.cpuMs);
    console.log(
      `${k.padEnd(24)} ${String(med(k, (c) => c.bytes)).padStart(7)} B  Worker CPU ${cpu.toFixed(1)} ms/report` +
        `  (Server-Timing total ${med(k, (c) => c.totalMs).toFixed(1)} ms)  ${(cpu / base).toFixed(1)}× normal`,
    );
  }
} finally {
  await worker.stop();
  rmSync(dir, { recursive: true, force: true });
}
