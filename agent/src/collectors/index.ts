/**
 * Runs the collectors and merges their metrics into one flat map. /proc on Linux; on Windows Node's
 * os module and one PowerShell run a minute (windows.ts); systeminformation elsewhere (macOS, BSD).
 * A collector that fails is logged once and left out of the sample, never fatal.
 */
import type { Logger } from "../log";
import { errorMessage } from "../util";
import { cpuCollector } from "./cpu";
import { diskCollector } from "./disk";
import { siCpuCollector, siDiskCollector, siMemoryCollector, siNetworkCollector } from "./fallback";
import { loadCollector } from "./load";
import { memoryCollector } from "./memory";
import { networkCollector } from "./network";
import { processCollector, type ServicePid } from "./process";
import { psSampler } from "./ps";
import { swapCollector } from "./swap";
import type { Collector, Metrics } from "./types";
import {
  osCpuCollector,
  osMemoryCollector,
  SAMPLE_EVERY_MS,
  WindowsSample,
  windowsSampleCollector,
} from "./windows";

export type { Collector, Metrics };

/** `cachePaths`: configured cache folders, whose mounts are measured whatever their type. */
export function defaultCollectors(
  useProc = process.platform === "linux",
  cachePaths: string[] = [],
): Collector[] {
  return useProc
    ? [
        cpuCollector(),
        memoryCollector(),
        swapCollector(),
        diskCollector(undefined, cachePaths),
        loadCollector(),
        networkCollector(),
      ]
    : [siCpuCollector(), siMemoryCollector(), siDiskCollector(), loadCollector(), siNetworkCollector()];
}

/** The host's collectors and the per-service process one, for this platform. */
export function hostCollectors(
  services: () => ServicePid[] | undefined,
  platform: NodeJS.Platform = process.platform,
  cachePaths: string[] = [],
): Collector[] {
  if (platform === "linux") return [...defaultCollectors(true, cachePaths), processCollector(services)];
  const pids = () => (services() ?? []).flatMap((s) => (s.pid ? [s.pid] : []));
  if (platform === "win32") {
    // Windows has no load average (os.loadavg() is all zeros): none is reported
    const sample = new WindowsSample(pids);
    return [
      osCpuCollector(),
      osMemoryCollector(),
      windowsSampleCollector(sample),
      processCollector(services, undefined, undefined, () => sample.processes(), SAMPLE_EVERY_MS),
    ];
  }
  return [...defaultCollectors(false), processCollector(services, undefined, undefined, psSampler())];
}

export class MetricsCollector {
  private readonly last = new Map<string, { at: number; metrics: Metrics }>();
  private readonly failing = new Set<string>();

  constructor(
    private readonly collectors: Collector[] = defaultCollectors(),
    private readonly log?: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** First readings for the rate-based collectors (cpu, network). */
  async prime(): Promise<void> {
    await Promise.all(
      this.collectors.map((c) =>
        this.guard(c, async () => {
          await c.prime?.();
          return {};
        }),
      ),
    );
  }

  async collect(): Promise<Metrics> {
    const parts = await Promise.all(
      this.collectors.map(async (c) => {
        const cached = this.last.get(c.name);
        if (c.everyMs && cached && this.now() - cached.at < c.everyMs) return cached.metrics;
        const metrics = await this.guard(c, () => c.collect());
        if (c.everyMs) this.last.set(c.name, { at: this.now(), metrics });
        return metrics;
      }),
    );
    return Object.assign({}, ...parts);
  }

  private async guard(c: Collector, fn: () => Metrics | Promise<Metrics>): Promise<Metrics> {
    try {
      const metrics = await fn();
      this.failing.delete(c.name);
      return metrics;
    } catch (err) {
      if (!this.failing.has(c.name)) this.log?.warn(`collector ${c.name} failed: ${errorMessage(err)}`);
      this.failing.add(c.name);
      return {};
    }
  }
}
