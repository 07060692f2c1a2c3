/** net.rx / net.tx: bytes per second over every interface but loopback, from /proc/net/dev deltas. */
import { round2 } from "../util";
import { type ProcReader, readProc } from "./procfs";
import type { Collector, Metrics } from "./types";

interface Counters {
  rx: number;
  tx: number;
  at: number;
}

export function readNetCounters(read: ProcReader = readProc): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of read("/proc/net/dev").split("\n").slice(2)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const iface = line.slice(0, colon).trim();
    if (iface === "lo") continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    rx += f[0] || 0;
    tx += f[8] || 0;
  }
  return { rx, tx };
}

export function networkCollector(read: ProcReader = readProc, now: () => number = Date.now): Collector {
  let prev: Counters | undefined;
  const sample = (): Counters => ({ ...readNetCounters(read), at: now() });
  return {
    name: "network",
    prime() {
      prev = sample();
    },
    collect(): Metrics {
      const cur = sample();
      const last = prev;
      prev = cur;
      const seconds = last ? (cur.at - last.at) / 1000 : 0;
      // No earlier reading, or counters reset (interface gone, wrap): no honest rate this time.
      if (!last || seconds <= 0 || cur.rx < last.rx || cur.tx < last.tx) return {};
      return {
        "net.rx": round2((cur.rx - last.rx) / seconds),
        "net.tx": round2((cur.tx - last.tx) / seconds),
      };
    },
  };
}
