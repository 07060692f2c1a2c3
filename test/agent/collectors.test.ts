import { describe, expect, it } from "vitest";
import { metricName } from "../../agent/protocol";
import { defaultCollectors, MetricsCollector } from "../../agent/src/collectors";
import { cpuCollector } from "../../agent/src/collectors/cpu";
import { metricForMount, realMounts } from "../../agent/src/collectors/disk";
import { memoryCollector } from "../../agent/src/collectors/memory";
import { networkCollector } from "../../agent/src/collectors/network";
import { swapCollector } from "../../agent/src/collectors/swap";
import type { Collector } from "../../agent/src/collectors/types";

const fakeProc = (files: Record<string, string>) => (file: string) => {
  if (!(file in files)) throw new Error(`ENOENT ${file}`);
  return files[file];
};

const percent = (v: unknown) => {
  expect(typeof v).toBe("number");
  expect(v).toBeGreaterThanOrEqual(0);
  expect(v).toBeLessThanOrEqual(100);
};

describe("collectors on this Linux host", () => {
  it("report cpu, memory, swap, disk, load and network with sane values under the protocol's names", async () => {
    const collector = new MetricsCollector(defaultCollectors(true));
    await collector.prime();
    await new Promise((r) => setTimeout(r, 200));
    const m = await collector.collect();
    for (const name of ["cpu", "memory", "swap", "disk"]) percent(m[name]);
    expect(m["disk:/"]).toBeGreaterThan(0);
    expect(m.disk).toBe(
      Math.max(
        ...Object.entries(m)
          .filter(([k]) => k.startsWith("disk:"))
          .map(([, v]) => v),
      ),
    );
    for (const name of ["load1", "load5", "load15", "net.rx", "net.tx"])
      expect(m[name]).toBeGreaterThanOrEqual(0);
    for (const name of Object.keys(m)) expect(metricName.safeParse(name).success).toBe(true);
  });

  it("leave pseudo filesystems out of disk", () => {
    const mounts = realMounts().map((m) => m.path);
    expect(mounts).toContain("/");
    expect(mounts).not.toContain("/proc");
    expect(mounts).not.toContain("/sys");
    expect(mounts).not.toContain("/dev/shm");
  });

  it("fall back to systeminformation where /proc is not used, under the same names", async () => {
    const collector = new MetricsCollector(defaultCollectors(false));
    await collector.prime();
    const m = await collector.collect();
    for (const name of ["cpu", "memory", "swap", "disk"]) percent(m[name]);
    expect(m.load1).toBeGreaterThanOrEqual(0);
  }, 20_000);
});

describe("collector arithmetic", () => {
  it("computes cpu from the busy share of /proc/stat deltas, and nothing before a first reading", () => {
    let stat = "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 2 3\n";
    const reading = cpuCollector((f) => (f === "/proc/stat" ? stat : ""));
    expect(reading.collect()).toEqual({});
    stat = "cpu  150 0 150 900 0 0 0 0 0 0\n"; // +100 busy, +100 idle
    expect(reading.collect()).toEqual({ cpu: 50 });
  });

  it("counts MemAvailable as free memory and reports swap 0 % without swap", () => {
    const read = fakeProc({
      "/proc/meminfo":
        "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 250 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n",
    });
    expect(memoryCollector(read).collect()).toEqual({ memory: 75 });
    expect(swapCollector(read).collect()).toEqual({ swap: 0 });
    const withSwap = fakeProc({ "/proc/meminfo": "SwapTotal: 400 kB\nSwapFree: 300 kB\n" });
    expect(swapCollector(withSwap).collect()).toEqual({ swap: 25 });
  });

  it("turns /proc/net/dev counters into bytes per second without loopback, and skips a counter reset", () => {
    const dev = (eth: number, lo: number) =>
      `Inter-| head\n face | head\n    lo: ${lo} 0 0 0 0 0 0 0 ${lo} 0 0 0 0 0 0 0\n  eth0: ${eth} 0 0 0 0 0 0 0 ${eth / 2} 0 0 0 0 0 0 0\n`;
    let text = dev(1000, 5);
    let now = 0;
    const net = networkCollector(
      (f) => (f === "/proc/net/dev" ? text : ""),
      () => now,
    );
    net.prime?.();
    text = dev(3000, 999_999);
    now = 2000;
    expect(net.collect()).toEqual({ "net.rx": 1000, "net.tx": 500 });
    text = dev(10, 5);
    now = 3000;
    expect(net.collect()).toEqual({});
  });

  it("names per-mount metrics so they pass the protocol's metric name rule", () => {
    expect(metricForMount("/var/lib")).toBe("disk:/var/lib");
    const odd = metricForMount("/mnt/my disk+1");
    expect(odd).toBe("disk:/mnt/my_disk_1");
    expect(metricName.safeParse(metricForMount(`/${"x".repeat(100)}`)).success).toBe(true);
  });

  it("runs a slow collector only on its own cadence and survives a failing one", async () => {
    let calls = 0;
    let now = 0;
    const slow: Collector = { name: "slow", everyMs: 60_000, collect: () => ({ slow: ++calls }) };
    const broken: Collector = {
      name: "broken",
      collect: () => {
        throw new Error("boom");
      },
    };
    const collector = new MetricsCollector([slow, broken], undefined, () => now);
    expect(await collector.collect()).toEqual({ slow: 1 });
    now = 30_000;
    expect(await collector.collect()).toEqual({ slow: 1 });
    now = 61_000;
    expect(await collector.collect()).toEqual({ slow: 2 });
  });
});
