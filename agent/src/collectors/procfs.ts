/** Reads of small /proc files: cheaper than spawning anything (and than systeminformation). */
import { readFileSync } from "node:fs";

export type ProcReader = (file: string) => string;

export const readProc: ProcReader = (file) => readFileSync(file, "utf8");

/** /proc/meminfo as a map of kB values. */
export function meminfo(read: ProcReader = readProc): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of read("/proc/meminfo").split("\n")) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}
