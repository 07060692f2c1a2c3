/**
 * Windows host metrics without a process per report. CPU (busy share of os.cpus() times between
 * two reports) and memory (os.totalmem/os.freemem: on Windows freemem is the available physical
 * memory) come from Node itself every report. Swap, disks, network and the services' processes come
 * from one PowerShell run for all of them, at most once a minute (SAMPLE_EVERY_MS), whatever the
 * report interval: PowerShell takes a second of CPU to start. The script prints plain lines that a
 * pure parser reads, so the parsing and the arithmetic are tested on Linux; the script itself has
 * been run on no Windows machine by the test suite.
 */
import os from "node:os";
import { execArgv } from "../services/exec";
import { round2 } from "../util";
import { metricForMount } from "./disk";
import type { ProcFigures, ProcSample } from "./ps";
import type { Collector, Metrics } from "./types";

export const SAMPLE_EVERY_MS = 60_000;

/** PowerShell formats "$(...)" with the invariant culture, so numbers always print with a dot. */
export function windowsScript(pids: readonly number[]): string {
  return [
    "$ErrorActionPreference = 'SilentlyContinue'",
    'Get-CimInstance Win32_PageFileUsage | ForEach-Object { "swap $($_.AllocatedBaseSize) $($_.CurrentUsage)" }',
    `Get-CimInstance Win32_LogicalDisk -Filter 'DriveType=3' | ForEach-Object { "disk $($_.Size) $($_.FreeSpace) $($_.DeviceID)" }`,
    'Get-CimInstance Win32_PerfRawData_Tcpip_NetworkInterface | ForEach-Object { "net $($_.BytesReceivedPersec) $($_.BytesSentPersec) $($_.Name)" }',
    ...(pids.length
      ? [
          `Get-Process -Id ${pids.join(",")} | ForEach-Object { "proc $($_.Id) $($_.WorkingSet64) $($_.TotalProcessorTime.TotalSeconds)" }`,
        ]
      : []),
  ].join("\n");
}

export interface WindowsFigures {
  /** page files, MB */
  swap?: { totalMb: number; usedMb: number };
  disks: { mount: string; size: number; free: number }[];
  /** bytes received and sent so far, all interfaces */
  net?: { rx: number; tx: number };
  procs: Map<number, ProcFigures>;
}

export function parseWindowsSample(stdout: string): WindowsFigures {
  const out: WindowsFigures = { disks: [], procs: new Map() };
  const num = (s: string | undefined) => (s !== undefined && /^\d+(\.\d+)?$/.test(s) ? Number(s) : undefined);
  for (const line of stdout.split(/\r?\n/)) {
    const [kind, a, b, ...rest] = line.trim().split(/\s+/);
    const x = num(a);
    const y = num(b);
    if (x === undefined || y === undefined) continue;
    if (kind === "swap") {
      out.swap = { totalMb: (out.swap?.totalMb ?? 0) + x, usedMb: (out.swap?.usedMb ?? 0) + y };
    } else if (kind === "disk" && rest.length && x > 0) {
      out.disks.push({ mount: rest.join(" "), size: x, free: y });
    } else if (kind === "net") {
      out.net = { rx: (out.net?.rx ?? 0) + x, tx: (out.net?.tx ?? 0) + y };
    } else if (kind === "proc") {
      const cpuSeconds = num(rest[0]);
      if (cpuSeconds !== undefined) out.procs.set(x, { rssBytes: y, cpuSeconds });
    }
  }
  return out;
}

type Run = (script: string) => Promise<string>;

const runPowerShell: Run = async (script) => {
  const argv = ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", script];
  const r = await execArgv(argv, { timeoutMs: 30_000, maxOutput: 1024 * 1024 });
  if (r.spawnError) throw r.spawnError;
  if (r.timedOut) throw new Error("powershell.exe timed out");
  return r.stdout;
};

/** One PowerShell run shared by the collectors that read it in the same round. */
export class WindowsSample {
  private last?: { at: number; figures: WindowsFigures };
  private inflight?: Promise<{ at: number; figures: WindowsFigures }>;

  constructor(
    private readonly pids: () => number[],
    private readonly run: Run = runPowerShell,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<{ at: number; figures: WindowsFigures }> {
    if (this.last && this.now() - this.last.at < SAMPLE_EVERY_MS / 2) return Promise.resolve(this.last);
    this.inflight ??= this.run(windowsScript(this.pids()))
      .then((stdout) => {
        this.last = { at: this.now(), figures: parseWindowsSample(stdout) };
        return this.last;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  /** For processCollector: the services' pids as of the last run. */
  async processes(): Promise<ProcSample> {
    const { at, figures } = await this.get();
    return { at, figures: figures.procs };
  }
}

/** % busy across all CPUs between two readings of os.cpus(). */
export function osCpuCollector(cpus: () => os.CpuInfo[] = os.cpus): Collector {
  const total = () => {
    let busy = 0;
    let all = 0;
    for (const { times: t } of cpus()) {
      busy += t.user + t.nice + t.sys + t.irq;
      all += t.user + t.nice + t.sys + t.irq + t.idle;
    }
    return { busy, all };
  };
  let prev = total();
  return {
    name: "cpu",
    prime() {
      prev = total();
    },
    collect(): Metrics {
      const now = total();
      const all = now.all - prev.all;
      const busy = now.busy - prev.busy;
      prev = now;
      return all > 0 ? { cpu: round2(Math.min(100, Math.max(0, (busy / all) * 100))) } : {};
    },
  };
}

export function osMemoryCollector(totalmem = os.totalmem, freemem = os.freemem): Collector {
  return {
    name: "memory",
    collect(): Metrics {
      const total = totalmem();
      return total > 0 ? { memory: round2(((total - freemem()) / total) * 100) } : {};
    },
  };
}

/** swap, disk + disk:<drive>, net.rx/net.tx (bytes/s between two runs): all from the shared sample. */
export function windowsSampleCollector(sample: WindowsSample): Collector {
  let prevNet: { at: number; rx: number; tx: number } | undefined;
  return {
    name: "windows-sample",
    everyMs: SAMPLE_EVERY_MS,
    async collect(): Promise<Metrics> {
      const { at, figures } = await sample.get();
      const metrics: Metrics = {};
      if (figures.swap)
        metrics.swap =
          figures.swap.totalMb > 0 ? round2((figures.swap.usedMb / figures.swap.totalMb) * 100) : 0;
      const disks = figures.disks.map((d) => ({
        mount: d.mount,
        use: round2(((d.size - d.free) / d.size) * 100),
      }));
      if (disks.length) metrics.disk = Math.max(...disks.map((d) => d.use));
      for (const d of disks.slice(0, 40)) metrics[metricForMount(d.mount)] = d.use;
      if (figures.net) {
        if (prevNet && at > prevNet.at) {
          const s = (at - prevNet.at) / 1000;
          metrics["net.rx"] = round2(Math.max(0, figures.net.rx - prevNet.rx) / s);
          metrics["net.tx"] = round2(Math.max(0, figures.net.tx - prevNet.tx) / s);
        }
        prevNet = { at, ...figures.net };
      }
      return metrics;
    },
  };
}
