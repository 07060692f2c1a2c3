/**
 * Per-service process metrics, `svc:<name>.cpu` (% of one core) and `svc:<name>.rss` (bytes), from
 * /proc/<pid>/stat and /proc/<pid>/status: what leak detection (the seed's growth_rate) reads for
 * each service's process. A systemd unit or a container is measured by its control group
 * (cgroup.ts), so all its processes count; a group that cannot be read falls back to the pid.
 */
import type { ServiceKind } from "../../protocol";
import { round2 } from "../util";
import { cgroupUsage } from "./cgroup";
import { type ProcReader, readProc } from "./procfs";
import type { Collector, Metrics } from "./types";

/** Two metrics each: keeps a sample well inside the protocol's metrics-per-sample limit. */
const MAX_SERVICES = 100;

/** Linux's USER_HZ: /proc times are in these ticks on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

export interface ServicePid {
  name: string;
  pid?: number;
  kind?: ServiceKind;
}

const GROUPED: ReadonlySet<ServiceKind> = new Set(["systemd", "docker"]);

/** CPU time in seconds and RSS in bytes: the unit's group, or the one process. */
function usageOf(read: ProcReader, svc: ServicePid & { pid: number }) {
  if (svc.kind && GROUPED.has(svc.kind)) {
    const g = cgroupUsage(svc.pid, read);
    if (g.cpuUsec !== undefined && g.rssBytes !== undefined)
      return { cpuSeconds: g.cpuUsec / 1e6, rss: g.rssBytes, source: "cgroup" };
  }
  return {
    cpuSeconds: cpuTicks(read, svc.pid) / TICKS_PER_SECOND,
    rss: rssBytes(read, svc.pid),
    source: "pid",
  };
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
  type Reading = { pid: number; cpuSeconds: number; at: number; source: string };
  let prev = new Map<string, Reading>();
  return {
    name: "process",
    collect(): Metrics {
      const metrics: Metrics = {};
      const next = new Map<string, Reading>();
      for (const svc of (services() ?? []).slice(0, MAX_SERVICES)) {
        const { name, pid } = svc;
        if (!pid) continue;
        try {
          const { cpuSeconds, rss, source } = usageOf(read, { ...svc, pid });
          const at = now();
          const last = prev.get(name);
          if (last && last.pid === pid && last.source === source && at > last.at) {
            const seconds = (at - last.at) / 1000;
            metrics[`svc:${name}.cpu`] = round2(Math.max(0, (cpuSeconds - last.cpuSeconds) / seconds) * 100);
          }
          if (rss !== undefined) metrics[`svc:${name}.rss`] = rss;
          next.set(name, { pid, cpuSeconds, at, source });
        } catch {
          // The process ended between the service check and now: the next check reports it down.
        }
      }
      prev = next;
      return metrics;
    },
  };
}
