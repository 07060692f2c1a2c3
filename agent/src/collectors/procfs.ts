/** Reads of small /proc files: cheaper than spawning anything (and than systeminformation). */
import { readFileSync } from "node:fs";

export type ProcReader = (file: string) => string;

let procRoot = "/proc";

/** Where /proc is read from: the config's procRoot (the host's /proc mounted into a container). */
export function setProcRoot(root: string | undefined): void {
  procRoot = root ?? "/proc";
}

/**
 * The file under procRoot. /proc/net is the reader's own network namespace (a container's); under
 * a mounted host /proc, pid 1's is the host's, as Netdata reads it.
 */
export function procPath(file: string): string {
  if (procRoot === "/proc" || !file.startsWith("/proc/")) return file;
  return procRoot + (file.startsWith("/proc/net/") ? `/1${file.slice(5)}` : file.slice(5));
}

export const readProc: ProcReader = (file) => readFileSync(procPath(file), "utf8");

/** /proc/meminfo as a map of kB values. */
export function meminfo(read: ProcReader = readProc): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of read("/proc/meminfo").split("\n")) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}
