import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { processCollector } from "../../agent/src/collectors/process";

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

describe("per-service process metrics", () => {
  it("reports RSS at once and CPU from the second reading, named svc:<name>.*", async () => {
    // A busy child: burns CPU and holds about 40 MB.
    const child = spawn(process.execPath, ["-e", "const b = Buffer.alloc(40e6, 1); for(;;){}"]);
    children.push(child);
    await new Promise((r) => setTimeout(r, 300));
    const collector = processCollector(() => [{ name: "burner", pid: child.pid }]);
    const first = await collector.collect();
    expect(first["svc:burner.rss"]).toBeGreaterThan(30e6);
    expect(first["svc:burner.cpu"]).toBeUndefined();
    await new Promise((r) => setTimeout(r, 500));
    const second = await collector.collect();
    // A busy loop: well above idle even when the machine is loaded.
    expect(second["svc:burner.cpu"]).toBeGreaterThan(5);
  });

  it("skips services without a pid and processes that are gone", async () => {
    const collector = processCollector(() => [{ name: "down" }, { name: "gone", pid: 2 ** 22 + 12345 }]);
    expect(await collector.collect()).toEqual({});
  });

  it("does not mix CPU time across a restart under a new pid", async () => {
    const pids = new Map([["web", 101]]);
    let ticks = 1000;
    let clock = 0;
    const read = (file: string) =>
      file.endsWith("/stat")
        ? `${file.split("/")[2]} (node x) S ${"0 ".repeat(10)}${ticks} 0 0`
        : "VmRSS:\t  2048 kB\n";
    const collector = processCollector(
      () => [{ name: "web", pid: pids.get("web") }],
      read,
      () => clock,
    );
    collector.collect();
    pids.set("web", 202);
    ticks = 50;
    clock = 1000;
    expect(collector.collect()).toEqual({ "svc:web.rss": 2048 * 1024 });
    ticks = 100;
    clock = 2000;
    expect(collector.collect()).toEqual({ "svc:web.rss": 2048 * 1024, "svc:web.cpu": 50 });
  });
});
