/** swap: percent of swap in use (0 on a host without swap). */
import { round2 } from "../util";
import { meminfo, type ProcReader, readProc } from "./procfs";
import type { Collector, Metrics } from "./types";

export function swapCollector(read: ProcReader = readProc): Collector {
  return {
    name: "swap",
    collect(): Metrics {
      const m = meminfo(read);
      const total = m.SwapTotal ?? 0;
      return { swap: total > 0 ? round2(((total - (m.SwapFree ?? 0)) / total) * 100) : 0 };
    },
  };
}
