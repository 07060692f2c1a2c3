/**
 * A systemd unit's or a container's whole footprint, from its control group rather than one pid:
 * a unit's workers and a container's processes all count. The group is the one the service's
 * main pid is in (/proc/<pid>/cgroup). cgroup v2: memory.stat `anon` and cpu.stat `usage_usec`;
 * v1 (or a hybrid host): the memory controller's memory.stat `total_rss` and cpuacct.usage (ns).
 * Both are what `docker stats` and systemd-cgtop read.
 */
import { type ProcReader, readProc } from "./procfs";

export interface CgroupPaths {
  /** The unified (v2) group path, "0::<path>". */
  unified?: string;
  /** v1 groups per controller. */
  memory?: string;
  cpuacct?: string;
}

/** /proc/<pid>/cgroup: "hierarchy:controllers:path" lines. */
export function parseProcCgroup(text: string): CgroupPaths {
  const out: CgroupPaths = {};
  for (const line of text.split("\n")) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, controllers, path] = m;
    if (id === "0" && controllers === "") out.unified = path;
    const names = controllers.split(",");
    if (names.includes("memory")) out.memory = path;
    if (names.includes("cpuacct")) out.cpuacct = path;
  }
  return out;
}

/** A `key value` file (memory.stat, cpu.stat) as numbers. */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}

export interface CgroupUsage {
  rssBytes?: number;
  /** Cumulative CPU time, microseconds. */
  cpuUsec?: number;
}

const tryRead = (read: ProcReader, file: string) => {
  try {
    return read(file);
  } catch {
    return undefined;
  }
};

/** Memory and CPU of the group `pid` is in; what cannot be read is left out. */
export function cgroupUsage(pid: number, read: ProcReader = readProc, root = "/sys/fs/cgroup"): CgroupUsage {
  const paths = parseProcCgroup(read(`/proc/${pid}/cgroup`));
  // A pure v2 host mounts the unified tree at the root; a hybrid one under unified/.
  const v2 = tryRead(read, `${root}/cgroup.controllers`) !== undefined ? root : `${root}/unified`;
  const dir = (base: string, path: string) => `${base}${path === "/" ? "" : path}`;
  const usage: CgroupUsage = {};

  const v1mem =
    paths.memory !== undefined && tryRead(read, `${dir(`${root}/memory`, paths.memory)}/memory.stat`);
  if (v1mem) {
    const stat = parseFlatKeyed(v1mem);
    usage.rssBytes = stat.total_rss ?? stat.rss;
  } else if (paths.unified !== undefined) {
    const stat = tryRead(read, `${dir(v2, paths.unified)}/memory.stat`);
    if (stat) usage.rssBytes = parseFlatKeyed(stat).anon;
  }

  const v1cpu =
    paths.cpuacct !== undefined && tryRead(read, `${dir(`${root}/cpuacct`, paths.cpuacct)}/cpuacct.usage`);
  if (v1cpu && /^\d+/.test(v1cpu.trim())) usage.cpuUsec = Math.floor(Number(v1cpu.trim()) / 1000);
  else if (paths.unified !== undefined) {
    const stat = tryRead(read, `${dir(v2, paths.unified)}/cpu.stat`);
    if (stat) usage.cpuUsec = parseFlatKeyed(stat).usage_usec;
  }
  if (usage.rssBytes === undefined) delete usage.rssBytes;
  if (usage.cpuUsec === undefined) delete usage.cpuUsec;
  return usage;
}
