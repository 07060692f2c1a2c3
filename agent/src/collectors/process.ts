/**
 * Per-service process metrics, `svc:<name>.cpu` (% of one core) and `svc:<name>.rss` (bytes), from
 * /proc/<pid>/stat and /proc/<pid>/status: what leak detection (the seed's growth_rate) reads for
 * each service's process.
 */
import { round2 } from "../util";
import { type ProcReader, readProc } from "./procfs";
import type { Collector, Metrics } from "./types";

/** Two metrics each: keeps a sample well inside the protocol's metrics-per-sample limit. */
const MAX_SERVICES = 100;

/** Linux's USER_HZ: /proc times are in these ticks on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

export interface ServicePid {
  name: string;
  pid?: number;
}

function cpuTicks(read: ProcReader, pid: number): number {
  const stat = read(`/proc/${pid}/stat`);
  // The command name may hold spaces and parentheses: fields count from the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function rssBytes(read: ProcReader, pid: number): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(read(`/proc/${pid}/status`));
  return m ? Number(m[1]) * 1024 : undefined;
}

export function processCollector(
  services: () => ServicePid[] | undefined,
  read: ProcReader = readProc,
  now: () => number = Date.now,
): Collector {
  let prev = new Map<string, { pid: number; ticks: number; at: number }>();
  return {
    name: "process",
    collect(): Metrics {
      const metrics: Metrics = {};
      const next = new Map<string, { pid: number; ticks: number; at: number }>();
      for (const { name, pid } of (services() ?? []).slice(0, MAX_SERVICES)) {
        if (!pid) continue;
        try {
          const ticks = cpuTicks(read, pid);
          const at = now();
          const last = prev.get(name);
          if (last && last.pid === pid && at > last.at) {
            const seconds = (at - last.at) / 1000;
            metrics[`svc:${name}.cpu`] = round2(
              Math.max(0, (ticks - last.ticks) / TICKS_PER_SECOND / seconds) * 100,
            );
          }
          const rss = rssBytes(read, pid);
          if (rss !== undefined) metrics[`svc:${name}.rss`] = rss;
          next.set(name, { pid, ticks, at });
        } catch {
          // The process ended between the service check and now: the next check reports it down.
        }
      }
      prev = next;
      return metrics;
    },
  };
}
