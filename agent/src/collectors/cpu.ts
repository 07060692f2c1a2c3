/** cpu: percent of time not idle across all cores, from the deltas of /proc/stat's first line. */
import { round2 } from "../util";
import { type ProcReader, readProc } from "./procfs";
import type { Collector, Metrics } from "./types";

interface Times {
  idle: number;
  total: number;
}

function readTimes(read: ProcReader): Times {
  const line = read("/proc/stat").split("\n", 1)[0];
  // user nice system idle iowait irq softirq steal (guest time is already inside user/nice)
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  return { idle, total: v.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0) };
}

export function cpuCollector(read: ProcReader = readProc): Collector {
  let prev: Times | undefined;
  return {
    name: "cpu",
    prime() {
      prev = readTimes(read);
    },
    collect(): Metrics {
      const cur = readTimes(read);
      const last = prev;
      prev = cur;
      if (!last) return {};
      const total = cur.total - last.total;
      if (total <= 0) return {};
      const busy = total - (cur.idle - last.idle);
      return { cpu: round2(Math.min(100, Math.max(0, (busy / total) * 100))) };
    },
  };
}
