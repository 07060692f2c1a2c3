/** memory: percent in use, counting what the kernel can reclaim (MemAvailable) as free, like `free`. */
import { round2 } from "../util";
import { meminfo, type ProcReader, readProc } from "./procfs";
import type { Collector, Metrics } from "./types";

export function memoryCollector(read: ProcReader = readProc): Collector {
  return {
    name: "memory",
    collect(): Metrics {
      const m = meminfo(read);
      const total = m.MemTotal;
      if (!total) return {};
      const available = m.MemAvailable ?? (m.MemFree ?? 0) + (m.Buffers ?? 0) + (m.Cached ?? 0);
      return { memory: round2(((total - available) / total) * 100) };
    },
  };
}
