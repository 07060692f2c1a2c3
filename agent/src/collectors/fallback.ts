/**
 * Where there is no /proc (macOS, Windows, BSD): the same metric names from systeminformation,
 * loaded only there. Its disk and network calls spawn tools, so they run on a slower cadence.
 */
import { round2 } from "../util";
import { metricForMount } from "./disk";
import type { Collector, Metrics } from "./types";

type SI = typeof import("systeminformation");
let si: Promise<SI> | undefined;
const load = (): Promise<SI> => {
  si ??= import("systeminformation").then((m) => ((m as { default?: SI }).default ?? m) as SI);
  return si;
};

export function siCpuCollector(): Collector {
  return {
    name: "cpu",
    async prime() {
      await (await load()).currentLoad();
    },
    async collect(): Promise<Metrics> {
      const l = await (await load()).currentLoad();
      return Number.isFinite(l.currentLoad) ? { cpu: round2(l.currentLoad) } : {};
    },
  };
}

export function siMemoryCollector(): Collector {
  return {
    name: "memory",
    async collect(): Promise<Metrics> {
      const m = await (await load()).mem();
      const metrics: Metrics = { swap: m.swaptotal > 0 ? round2((m.swapused / m.swaptotal) * 100) : 0 };
      if (m.total > 0) metrics.memory = round2(((m.total - m.available) / m.total) * 100);
      return metrics;
    },
  };
}

export function siDiskCollector(everyMs = 60_000): Collector {
  return {
    name: "disk",
    everyMs,
    async collect(): Promise<Metrics> {
      const sizes = (await (await load()).fsSize()).filter((f) => f.size > 0 && Number.isFinite(f.use));
      if (!sizes.length) return {};
      sizes.sort((a, b) => b.use - a.use);
      const metrics: Metrics = { disk: round2(sizes[0].use) };
      for (const f of sizes.slice(0, 40)) metrics[metricForMount(f.mount)] = round2(f.use);
      return metrics;
    },
  };
}

export function siNetworkCollector(): Collector {
  return {
    name: "network",
    async prime() {
      await (await load()).networkStats("*");
    },
    async collect(): Promise<Metrics> {
      const stats = (await (await load()).networkStats("*")).filter((s) => !/^lo/.test(s.iface));
      const rx = stats.reduce((a, s) => a + (s.rx_sec ?? 0), 0);
      const tx = stats.reduce((a, s) => a + (s.tx_sec ?? 0), 0);
      return stats.some((s) => s.rx_sec !== null) ? { "net.rx": round2(rx), "net.tx": round2(tx) } : {};
    },
  };
}
