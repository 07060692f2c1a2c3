/**
 * Per-service process metrics, `svc:<name>.cpu` (% of one core) and `svc:<name>.rss` (bytes), from
 * /proc/<pid>/stat and /proc/<pid>/status: what leak detection (the seed's growth_rate) reads for
 * each service's process. A systemd unit or a container is measured by its control group
 * (cgroup.ts), so all its processes count; a group that cannot be read falls back to the pid.
 * Off Linux a sampler reads the same figures for all pids at once (`ps` on macOS and the BSDs,
 * the once-a-minute PowerShell sample on Windows).
 */
import type { ServiceKind } from "../../protocol";
import { round2 } from "../util";
import { cgroupUsage } from "./cgroup";
import { type ProcReader, readProc } from "./procfs";
import type { ProcFigures, ProcSampler } from "./ps";
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

type Seen = Map<string, { pid: number; ticks: number; at: number; source: string }>;

/** CPU % since the last reading of the same pid (none after a restart under a new pid), and RSS. */
function addMetrics(
  metrics: Metrics,
  name: string,
  pid: number,
  now: ProcFigures & { at: number },
  prev: Seen,
  next: Seen,
  /** What was measured: a rate needs two readings of the same thing (the group, or the pid). */
  source = "pid",
) {
  const ticks = now.cpuSeconds * TICKS_PER_SECOND;
  const last = prev.get(name);
  if (last && last.pid === pid && last.source === source && now.at > last.at) {
    const seconds = (now.at - last.at) / 1000;
    metrics[`svc:${name}.cpu`] = round2(Math.max(0, (ticks - last.ticks) / TICKS_PER_SECOND / seconds) * 100);
  }
  if (Number.isFinite(now.rssBytes)) metrics[`svc:${name}.rss`] = now.rssBytes;
  next.set(name, { pid, ticks, at: now.at, source });
}

export function processCollector(
  services: () => ServicePid[] | undefined,
  read: ProcReader = readProc,
  now: () => number = Date.now,
  /** Off Linux: reads all pids at once instead of /proc. */
  sampler?: ProcSampler,
  everyMs?: number,
): Collector {
  let prev: Seen = new Map();
  const running = () =>
    (services() ?? []).slice(0, MAX_SERVICES).filter((s): s is ServicePid & { pid: number } => !!s.pid);
  if (sampler)
    return {
      name: "process",
      everyMs,
      async collect(): Promise<Metrics> {
        const list = running();
        const sample = await sampler([...new Set(list.map((s) => s.pid))]);
        const metrics: Metrics = {};
        const next: Seen = new Map();
        for (const { name, pid } of list) {
          const f = sample.figures.get(pid);
          if (f) addMetrics(metrics, name, pid, { ...f, at: sample.at }, prev, next);
        }
        prev = next;
        return metrics;
      },
    };
  return {
    name: "process",
    collect(): Metrics {
      const metrics: Metrics = {};
      const next: Seen = new Map();
      for (const svc of running()) {
        try {
          const { cpuSeconds, rss, source } = usageOf(read, svc);
          const figures = { cpuSeconds, rssBytes: rss ?? Number.NaN, at: now() };
          addMetrics(metrics, svc.name, svc.pid, figures, prev, next, source);
        } catch {
          // The process ended between the service check and now: the next check reports it down.
        }
      }
      prev = next;
      return metrics;
    },
  };
}
