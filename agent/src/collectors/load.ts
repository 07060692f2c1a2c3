/** load1/5/15: the run-queue averages (os.loadavg reads /proc/loadavg on Linux; zeros on Windows). */
import os from "node:os";
import { round2 } from "../util";
import type { Collector, Metrics } from "./types";

export function loadCollector(): Collector {
  return {
    name: "load",
    collect(): Metrics {
      const [load1, load5, load15] = os.loadavg();
      return { load1: round2(load1), load5: round2(load5), load15: round2(load15) };
    },
  };
}
