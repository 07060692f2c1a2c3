/**
 * A closed-loop load generator for the ingest bench: `concurrency` clients each send one request
 * and wait for its answer, for `seconds`. Also reads who used the CPU meanwhile (/proc), since
 * the bench client, workerd and the other processes on this machine share the same cores.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { type Dispatcher, request } from "undici";

export interface Sent {
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** false: leave its Server-Timing out (a host's first report writes its service rows once). */
  steady?: boolean;
}

export interface LoadResult {
  count: number;
  errors: number;
  /** The errors by HTTP status, or "network" for a request that got no answer. */
  errorsBy: Map<string, number>;
  perSecond: number;
  latencies: number[];
  /** Server-Timing entries per name (dur, else the numeric desc), of steady requests only. */
  timings: Map<string, number[]>;
  /** % of one core over the run: this process (the client), the worker's process group, the whole machine. */
  cpu: { client: number; worker: number; machine: number; cores: number; byRole: Record<Role, number> };
}

/** "0 errors", or "12 errors (429 ×10, network ×2)" pooled over runs. */
export function errorsText(results: Pick<LoadResult, "errors" | "errorsBy">[]): string {
  const total = results.reduce((a, r) => a + r.errors, 0);
  const by = new Map<string, number>();
  for (const r of results) for (const [why, n] of r.errorsBy) by.set(why, (by.get(why) ?? 0) + n);
  const parts = [...by].sort((a, b) => b[1] - a[1]).map(([why, n]) => `${why} ×${n}`);
  return parts.length ? `${total} errors (${parts.join(", ")})` : `${total} errors`;
}

export const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN;
export const median = (xs: number[]) => pct(xs, 50);
export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** `d1;dur=3.2;desc="4 calls", d1_rows_written;desc=5` → [["d1", 3.2], ["d1_rows_written", 5]]. */
export function parseServerTiming(header: string): [string, number][] {
  return header
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .flatMap((entry): [string, number][] => {
      const [name, ...params] = entry.split(";").map((p) => p.trim());
      const dur = params.find((p) => p.startsWith("dur="));
      const desc = params.find((p) => p.startsWith("desc="));
      const value = dur
        ? Number(dur.slice(4))
        : desc
          ? Number.parseFloat(desc.slice(5).replace(/"/g, ""))
          : NaN;
      return Number.isFinite(value) ? [[name, value]] : [];
    });
}

const TICKS = 100; // USER_HZ
/**
 * CPU ticks of the Worker's process group, split by role: wrangler's own node process, the
 * workerd that runs the Worker and its D1 (it holds the SQLite file open), and the workerd of
 * wrangler's dev proxy, which every request crosses first. A deployed Worker has neither wrangler
 * nor the proxy, so the middle figure is the one that says what a report costs.
 */
export type Role = "wrangler" | "worker" | "proxy";
export function groupTicks(pgid: number): Record<Role, number> {
  const ticks: Record<Role, number> = { wrangler: 0, worker: 0, proxy: 0 };
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const n = Number(fields[11]) + Number(fields[12]);
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (comm !== "workerd") ticks.wrangler += n;
      else if (holdsSqlite(pid)) ticks.worker += n;
      else ticks.proxy += n;
    } catch {} // gone meanwhile
  }
  return ticks;
}
function holdsSqlite(pid: string): boolean {
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).endsWith(".sqlite")) return true;
    } catch {}
  }
  return false;
}
const sum = (t: Record<Role, number>) => t.wrangler + t.worker + t.proxy;
function machineTicks(): { busy: number; cores: number } {
  const lines = readFileSync("/proc/stat", "utf8").split("\n");
  const [, ...v] = lines[0].split(/\s+/).filter(Boolean).map(Number);
  const idle = v[3] + v[4];
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, cores: lines.filter((l) => /^cpu\d/.test(l)).length };
}

export async function closedLoop(opts: {
  dispatcher: Dispatcher;
  concurrency: number;
  seconds: number;
  workerPgid: number;
  next: (i: number) => Sent;
  /** Stop after this many requests sent, if that comes before `seconds` (one pass over a fleet). */
  count?: number;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const timings = new Map<string, number[]>();
  let errors = 0;
  const errorsBy = new Map<string, number>();
  const failed = (why: string) => {
    errors++;
    errorsBy.set(why, (errorsBy.get(why) ?? 0) + 1);
  };
  let n = 0;
  const deadline = Date.now() + opts.seconds * 1000;
  const client = async () => {
    while (Date.now() < deadline && n < (opts.count ?? Infinity)) {
      const sent = opts.next(n++);
      const t0 = performance.now();
      const res = await request(sent.url, {
        method: sent.body === undefined ? "GET" : "POST",
        dispatcher: opts.dispatcher,
        headers: sent.headers,
        body: sent.body,
      }).catch(() => null); // a keep-alive socket closed under us: an error, not the end of the run
      if (!res) {
        failed("network");
        continue;
      }
      await res.body.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.statusCode !== 200) failed(String(res.statusCode));
      if (sent.steady !== false)
        for (const [name, value] of parseServerTiming(String(res.headers["server-timing"] ?? ""))) {
          const list = timings.get(name) ?? [];
          list.push(value);
          timings.set(name, list);
        }
    }
  };
  const cpu = cpuWindow(opts.workerPgid);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  const elapsed = (performance.now() - t0) / 1000;
  return {
    count: latencies.length,
    errors,
    errorsBy,
    perSecond: latencies.length / elapsed,
    latencies,
    timings,
    cpu: cpu(),
  };
}

/** Who used the CPU from now until the returned function is called (% of one core each). */
export function cpuWindow(workerPgid: number): () => LoadResult["cpu"] {
  const cpu0 = process.cpuUsage();
  const worker0 = groupTicks(workerPgid);
  const machine0 = machineTicks();
  const t0 = performance.now();
  return () => {
    const elapsed = (performance.now() - t0) / 1000;
    const cpu1 = process.cpuUsage(cpu0);
    const worker1 = groupTicks(workerPgid);
    const machine1 = machineTicks();
    const pct = (ticks: number) => (ticks / TICKS / elapsed) * 100;
    return {
      client: ((cpu1.user + cpu1.system) / 1e6 / elapsed) * 100,
      worker: pct(sum(worker1) - sum(worker0)),
      byRole: {
        wrangler: pct(worker1.wrangler - worker0.wrangler),
        worker: pct(worker1.worker - worker0.worker),
        proxy: pct(worker1.proxy - worker0.proxy),
      },
      machine: ((machine1.busy - machine0.busy) / TICKS / elapsed) * 100,
      cores: machine1.cores,
    };
  };
}
