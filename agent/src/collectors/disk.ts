/**
 * disk: percent used of the fullest real filesystem; disk:<mount>: the same per mount.
 * Mounts come from /proc/mounts, minus pseudo, read-only image and network filesystems (a hung
 * NFS server must not hang the agent), one mount per device; usage is df's: used / (used + avail).
 * A mount holding a configured cache is measured whatever its type (a cache on /run or /dev/shm
 * fills a tmpfs), so clear_cache can be aimed at the mount that is full.
 */
import { statfs, statSync } from "node:fs";
import { promisify } from "node:util";
import { round2 } from "../util";
import { type ProcReader, readProc } from "./procfs";
import type { Collector, Metrics } from "./types";

const statfsAsync = promisify(statfs);

const SKIP_TYPES = new Set(
  (
    "proc sysfs devtmpfs devpts tmpfs ramfs cgroup cgroup2 mqueue debugfs tracefs securityfs pstore bpf " +
    "autofs hugetlbfs configfs fusectl binfmt_misc nsfs rpc_pipefs efivarfs selinuxfs devfs squashfs " +
    "iso9660 udf nfs nfs4 cifs smbfs smb3 ceph glusterfs afs fuse.sshfs fuse.lxcfs fuse.gvfsd-fuse " +
    "fuse.portal fuse.snapfuse nfsd"
  ).split(" "),
);
const MAX_MOUNTS = 40;
const METRIC_OK = /^[A-Za-z0-9_.:/-]+$/;

export interface Mount {
  device: string;
  path: string;
  type: string;
}

const decodeOctal = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));

export function realMounts(read: ProcReader = readProc): Mount[] {
  const byDevice = new Map<number, Mount>();
  for (const line of read("/proc/mounts").split("\n")) {
    const [device, rawPath, type] = line.split(" ");
    if (!rawPath || !type || SKIP_TYPES.has(type)) continue;
    const mount = { device, path: decodeOctal(rawPath), type };
    let dev: number;
    try {
      const st = statSync(mount.path);
      if (!st.isDirectory()) continue; // bind-mounted files such as a container's /etc/hosts
      dev = st.dev;
    } catch {
      continue;
    }
    const seen = byDevice.get(dev);
    if (!seen || mount.path.length < seen.path.length) byDevice.set(dev, mount);
  }
  return [...byDevice.values()];
}

function allMounts(read: ProcReader): Mount[] {
  return read("/proc/mounts")
    .split("\n")
    .map((line) => line.split(" "))
    .filter(([, rawPath, type]) => rawPath && type)
    .map(([device, rawPath, type]) => ({ device, path: decodeOctal(rawPath), type }));
}

/** The mount holding `file` (the longest mount point above it), of whatever type. */
export function mountOf(file: string, read: ProcReader = readProc): Mount | undefined {
  const inside = (m: Mount) => m.path === "/" || file === m.path || file.startsWith(`${m.path}/`);
  let best: Mount | undefined;
  // The last of equal mount points is the one on top (mounted over the others).
  for (const m of allMounts(read)) if (inside(m) && (!best || m.path.length >= best.path.length)) best = m;
  return best;
}

/** The real mounts, plus those holding `holding` (cache folders) whatever their type. */
export function measuredMounts(read: ProcReader = readProc, holding: string[] = []): Mount[] {
  const mounts = realMounts(read);
  for (const file of holding) {
    const m = mountOf(file, read);
    if (m && !mounts.some((x) => x.path === m.path)) mounts.push(m);
  }
  return mounts;
}

/** Percent used the way df shows it; undefined for a filesystem without blocks. */
export async function usedPercent(path: string): Promise<number | undefined> {
  const s = await statfsAsync(path);
  const used = s.blocks - s.bfree;
  const denominator = used + s.bavail;
  return s.blocks > 0 && denominator > 0 ? round2((used / denominator) * 100) : undefined;
}

export function metricForMount(path: string): string {
  const name = `disk:${path}`;
  return METRIC_OK.test(name) && name.length <= 64
    ? name
    : `disk:${path.replace(/[^A-Za-z0-9_.:/-]/g, "_")}`.slice(0, 64);
}

export function diskCollector(read: ProcReader = readProc, holding: string[] = []): Collector {
  return {
    name: "disk",
    async collect(): Promise<Metrics> {
      const found: [string, number][] = [];
      await Promise.all(
        measuredMounts(read, holding).map(async (m) => {
          const pct = await usedPercent(m.path).catch(() => undefined);
          if (pct !== undefined) found.push([metricForMount(m.path), pct]);
        }),
      );
      if (!found.length) return {};
      found.sort((a, b) => b[1] - a[1]);
      const metrics: Metrics = { disk: found[0][1] };
      for (const [name, pct] of found.slice(0, MAX_MOUNTS)) metrics[name] = pct;
      return metrics;
    },
  };
}
