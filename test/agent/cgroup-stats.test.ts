import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cgroupUsage, parseProcCgroup } from "../../agent/src/collectors/cgroup";
import { processCollector } from "../../agent/src/collectors/process";

const files = (all: Record<string, string>) => (file: string) => {
  if (!(file in all)) throw new Error(`ENOENT ${file}`);
  return all[file];
};

// cgroup v2 files in the kernel's format (Documentation/admin-guide/cgroup-v2.rst), abridged.
const V2_MEMORY_STAT = `anon 157286400
file 52428800
kernel 3145728
kernel_stack 327680
pagetables 1081344
sock 0
shmem 0
file_mapped 20971520
file_dirty 0
`;
const V2_CPU_STAT = `usage_usec 16876276000
user_usec 12588324000
system_usec 4287952000
nr_periods 0
nr_throttled 0
throttled_usec 0
`;

describe("a service's control group", () => {
  it("is found in /proc/<pid>/cgroup for a v2 systemd unit, a v1 container and a hybrid host", () => {
    expect(parseProcCgroup("0::/system.slice/nginx.service\n")).toEqual({
      unified: "/system.slice/nginx.service",
    });
    const docker =
      "12:pids:/docker/3f2a\n4:memory:/docker/3f2a\n3:cpu,cpuacct:/docker/3f2a\n1:name=systemd:/docker/3f2a\n";
    expect(parseProcCgroup(docker)).toEqual({ memory: "/docker/3f2a", cpuacct: "/docker/3f2a" });
    expect(parseProcCgroup(readFileSync("/proc/self/cgroup", "utf8"))).toHaveProperty("unified");
  });

  it("gives a v2 unit's anonymous memory and CPU time", () => {
    const read = files({
      "/proc/42/cgroup": "0::/system.slice/nginx.service\n",
      "/sys/fs/cgroup/cgroup.controllers": "cpuset cpu io memory pids\n",
      "/sys/fs/cgroup/system.slice/nginx.service/memory.stat": V2_MEMORY_STAT,
      "/sys/fs/cgroup/system.slice/nginx.service/cpu.stat": V2_CPU_STAT,
    });
    expect(cgroupUsage(42, read)).toEqual({ rssBytes: 157286400, cpuUsec: 16876276000 });
  });

  it("gives a v1 container's total_rss and cpuacct.usage (nanoseconds)", () => {
    const read = files({
      "/proc/7/cgroup": "4:memory:/docker/3f2a\n3:cpu,cpuacct:/docker/3f2a\n0::/\n",
      "/sys/fs/cgroup/memory/docker/3f2a/memory.stat":
        "cache 12029952\nrss 2195456\ntotal_cache 12029952\ntotal_rss 9195456\n",
      "/sys/fs/cgroup/cpuacct/docker/3f2a/cpuacct.usage": "12048554748284\n",
    });
    expect(cgroupUsage(7, read)).toEqual({ rssBytes: 9195456, cpuUsec: 12048554748 });
  });

  it("reads this host's real cgroup files for this very process", () => {
    const usage = cgroupUsage(process.pid);
    expect(usage.cpuUsec).toBeGreaterThan(0);
    expect(usage.rssBytes).toBeGreaterThanOrEqual(0);
  });
});

describe("systemd and docker services in the process metrics", () => {
  it("are measured by their group: RSS at once, CPU from the second reading", async () => {
    let clock = 0;
    let usec = 1_000_000;
    const read = files({
      "/proc/42/cgroup": "0::/system.slice/api.service\n",
      "/sys/fs/cgroup/cgroup.controllers": "cpu memory\n",
      "/sys/fs/cgroup/system.slice/api.service/memory.stat": V2_MEMORY_STAT,
    });
    const live = (file: string) =>
      file.endsWith("api.service/cpu.stat") ? `usage_usec ${usec}\n` : read(file);
    const collector = processCollector(
      () => [{ name: "api", kind: "systemd", pid: 42 }],
      live,
      () => clock,
    );
    expect(await collector.collect()).toEqual({ "svc:api.rss": 157286400 });
    clock += 2000;
    usec += 1_000_000; // one CPU-second in two seconds: half a core
    expect(await collector.collect()).toEqual({ "svc:api.rss": 157286400, "svc:api.cpu": 50 });
  });

  it("fall back to the main pid when the group cannot be read", async () => {
    const read = files({
      "/proc/9/cgroup": "0::/system.slice/db.service\n",
      "/proc/9/stat": `9 (postgres) S ${"0 ".repeat(10)}500 100 0`,
      "/proc/9/status": "VmRSS:\t  4096 kB\n",
    });
    const collector = processCollector(() => [{ name: "db", kind: "docker", pid: 9 }], read);
    expect(await collector.collect()).toEqual({ "svc:db.rss": 4096 * 1024 });
  });
});
