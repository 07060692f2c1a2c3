/**
 * The decisions the agent makes off Linux, run here on Linux: the parsers read the formats the
 * real tools print (ps really runs here; the PowerShell lines are the ones our script prints), and
 * the choices are made from a platform name the tests pass in.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { hostCollectors, MetricsCollector } from "../../agent/src/collectors";
import { processCollector } from "../../agent/src/collectors/process";
import { parseCpuTime, parsePsFigures, psSampler } from "../../agent/src/collectors/ps";
import {
  osCpuCollector,
  parseWindowsSample,
  WindowsSample,
  windowsSampleCollector,
  windowsScript,
} from "../../agent/src/collectors/windows";
import { ConfigError, parseConfig } from "../../agent/src/config/schema";
import { bestEffortNotice } from "../../agent/src/platform";
import { commandLinesFromPs } from "../../agent/src/services/proc";
import { cleanup } from "./support/helpers";

afterEach(cleanup);

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

/** What `ps -o pid=,rss=,time= -p ...` prints on macOS (BSD ps: minutes:seconds.hundredths). */
const MACOS_PS = "  412   5236   0:00.05\n 1077  20480  12:03.41\n";

/** What the Windows script prints: page files in MB, disks and network in bytes, processes. */
const WINDOWS_OUT = [
  "swap 4096 512",
  "swap 1024 0",
  "disk 511101767680 127775441920 C:",
  "disk 1000202039296 900181835366 D:",
  "net 1000000 200000 Intel[R] Ethernet Connection I219-V",
  "net 5000 1000 Hyper-V Virtual Ethernet Adapter",
  "proc 4321 104857600 12.5",
  "proc 8765 52428800 0",
  "",
].join("\r\n");

describe("per-service CPU and RSS where there is no /proc", () => {
  it("reads procps' and macOS's ps time formats", () => {
    expect(parseCpuTime("00:01:07")).toBe(67);
    expect(parseCpuTime("1-02:03:04")).toBe(((24 + 2) * 60 + 3) * 60 + 4);
    expect(parseCpuTime("0:00.05")).toBeCloseTo(0.05);
    expect(parseCpuTime("12:03.41")).toBeCloseTo(723.41);
    expect(parseCpuTime("n/a")).toBeUndefined();
    expect(parsePsFigures(MACOS_PS)).toEqual(
      new Map([
        [412, { cpuSeconds: 0.05, rssBytes: 5236 * 1024 }],
        [1077, { cpuSeconds: 723.41, rssBytes: 20480 * 1024 }],
      ]),
    );
  });

  it("reads every pid in one real ps run, leaving out one that is gone", async () => {
    const sample = await psSampler()([process.pid, 2 ** 22 + 12345]);
    const mine = sample.figures.get(process.pid);
    const vmRss = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1]) * 1024;
    expect(sample.figures.size).toBe(1);
    expect(mine?.rssBytes).toBeGreaterThan(vmRss / 2);
    expect(mine?.rssBytes).toBeLessThan(vmRss * 2);
  });

  it("gives svc:<name>.rss at once and svc:<name>.cpu from the second ps reading", async () => {
    const child = spawn(process.execPath, ["-e", "const b = Buffer.alloc(20e6, 1); for(;;){}"]);
    children.push(child);
    const collector = processCollector(
      () => [{ name: "burner", pid: child.pid }],
      undefined,
      undefined,
      psSampler(),
    );
    const first = await collector.collect();
    expect(first["svc:burner.rss"]).toBeGreaterThan(0);
    expect(first["svc:burner.cpu"]).toBeUndefined();
    // ps counts CPU time in whole seconds on Linux: wait until the child has burnt two more
    const ticks = () => {
      const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(f[11]) + Number(f[12]);
    };
    const start = ticks();
    while (ticks() - start < 200) await new Promise((r) => setTimeout(r, 200));
    const second = await collector.collect();
    expect(second["svc:burner.cpu"]).toBeGreaterThan(0);
  }, 30_000);
});

describe("Windows metrics", () => {
  it("parses the script's lines: page files summed, fixed disks, network counters summed, processes", () => {
    const f = parseWindowsSample(WINDOWS_OUT);
    expect(f.swap).toEqual({ totalMb: 5120, usedMb: 512 });
    expect(f.disks).toEqual([
      { mount: "C:", size: 511101767680, free: 127775441920 },
      { mount: "D:", size: 1000202039296, free: 900181835366 },
    ]);
    expect(f.net).toEqual({ rx: 1005000, tx: 201000 });
    expect(f.procs.get(4321)).toEqual({ rssBytes: 104857600, cpuSeconds: 12.5 });
    expect(windowsScript([4321, 8765])).toContain("Get-Process -Id 4321,8765");
    expect(windowsScript([])).not.toContain("Get-Process");
  });

  it("runs PowerShell once a minute whatever the interval, shared by every collector in a round", async () => {
    let clock = 0;
    let runs = 0;
    let rx = 1000000;
    const sample = new WindowsSample(
      () => [4321],
      async () => {
        runs++;
        rx += 600000; // 10 kB/s over the minute between runs
        return WINDOWS_OUT.replace("net 1000000", `net ${rx}`);
      },
      () => clock,
    );
    const collector = new MetricsCollector(
      [
        windowsSampleCollector(sample),
        processCollector(
          () => [{ name: "web", pid: 4321 }],
          undefined,
          undefined,
          () => sample.processes(),
          60_000,
        ),
      ],
      undefined,
      () => clock,
    );
    const first = await collector.collect();
    expect(runs).toBe(1);
    expect(first).toMatchObject({
      swap: 10,
      disk: 75,
      "disk:C:": 75,
      "disk:D:": 10,
      "svc:web.rss": 104857600,
    });
    for (clock = 10_000; clock < 60_000; clock += 10_000) await collector.collect();
    expect(runs).toBe(1);
    clock = 60_000;
    const later = await collector.collect();
    expect(runs).toBe(2);
    expect(later["net.rx"]).toBe(10000);
  });

  it("computes CPU from os.cpus() times, with no process", () => {
    let busy = 100;
    let idle = 900;
    const cpus = () =>
      [0, 1].map(() => ({ model: "x", speed: 1, times: { user: busy, nice: 0, sys: 0, irq: 0, idle } }));
    const cpu = osCpuCollector(cpus);
    busy += 30;
    idle += 70;
    expect(cpu.collect()).toEqual({ cpu: 30 });
  });

  it("has no per-report collector that runs a program: only the once-a-minute sample does", () => {
    const collectors = hostCollectors(() => [], "win32");
    expect(collectors.map((c) => [c.name, c.everyMs])).toEqual([
      ["cpu", undefined],
      ["memory", undefined],
      ["windows-sample", 60_000],
      ["process", 60_000],
    ]);
    expect(hostCollectors(() => [], "linux").map((c) => c.name)).toContain("process");
    expect(hostCollectors(() => [], "darwin").map((c) => c.name)).toContain("process");
  });
});

describe("match services off Linux", () => {
  const config = {
    server: "https://edge.example",
    services: [{ name: "web", kind: "process", match: "nginx: master" }],
  };

  it("refuses a match service on Windows at config load, saying what to use instead", () => {
    expect(() => parseConfig(config, "agent.json", "win32")).toThrow(ConfigError);
    expect(() => parseConfig(config, "agent.json", "win32")).toThrow(
      /services\[0\]\.match: Windows has no ps to match command lines: use pidFile, or kind "windows"/,
    );
    expect(parseConfig(config, "agent.json", "darwin").services[0].match).toBe("nginx: master");
    const pidFile = { ...config, services: [{ name: "web", kind: "process", pidFile: "/run/web.pid" }] };
    expect(parseConfig(pidFile, "agent.json", "win32").services).toHaveLength(1);
  });

  it("treats a ps that cannot run as an error, never as no process matching", async () => {
    const missing = Object.assign(new Error("spawn ps ENOENT"), { code: "ENOENT" });
    await expect(
      commandLinesFromPs(async () => ({
        code: null,
        signal: null,
        stdout: "",
        stderr: "",
        timedOut: false,
        spawnError: missing,
      })),
    ).rejects.toThrow("cannot list processes: could not run ps: ENOENT");
    const real = await commandLinesFromPs();
    expect(real.some((p) => p.pid === process.pid)).toBe(true);
  });

  it("says once at start that the platform is best-effort, except on Linux", () => {
    expect(bestEffortNotice("linux")).toBeUndefined();
    expect(bestEffortNotice("win32")).toMatch(/^win32 support is best-effort: .*one PowerShell run a minute/);
    expect(bestEffortNotice("darwin")).toMatch(/^darwin support is best-effort/);
  });
});
