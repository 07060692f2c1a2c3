import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MetricsCollector } from "../../agent/src/collectors";
import { Runner } from "../../agent/src/runner";
import { ServiceManager } from "../../agent/src/services";
import { LivenessProbes, SLOW_EVERY } from "../../agent/src/services/liveness";
import { ensureStateDir } from "../../agent/src/state-dir";
import { ApiClient } from "../../agent/src/transport/client";
import { fakeServer, reportOk, type Seen } from "./support/fake-server";
import {
  cleanup,
  configFor,
  freePort,
  killAtCleanup,
  memoryLog,
  serverArgv,
  startServer,
  tempDir,
  waitFor,
} from "./support/helpers";

afterEach(cleanup);

/** Services the agent did not start: a process of the test's own, found through its pid file. */
async function outsideServices(count: number) {
  const dir = tempDir();
  const out = [];
  for (let i = 0; i < count; i++) {
    const pidFile = path.join(dir, `ext${i}.pid`);
    const child = await startServer(await freePort(), pidFile);
    out.push({ child, config: { name: `ext${i}`, kind: "process", pidFile } });
  }
  return out;
}

async function startRunner(services: unknown[], reply = (_req: Seen) => reportOk([], 30)) {
  const server = await fakeServer(reply);
  const config = configFor({ server: server.url, interval: 30, probeInterval: 0.2, services });
  const { log } = memoryLog();
  const runner = new Runner({
    config,
    paths: ensureStateDir(config.stateDir),
    client: new ApiClient({ server: server.url }),
    agentToken: "agent-token",
    log,
    collector: new MetricsCollector([{ name: "fixed", collect: () => ({ cpu: 5 }) }]),
    shutdownGraceMs: 500,
  });
  await runner.start();
  await waitFor(() => server.seen.length >= 1, 5000, "the first report");
  const events = () => server.seen.filter((r) => r.body?.reason === "event");
  return { server, runner, events };
}

describe("liveness probes", { timeout: 30_000 }, () => {
  it("reports a pid-file service killed from outside at once, not at the next interval", async () => {
    const [ext] = await outsideServices(1);
    const { runner, events } = await startRunner([ext.config]);
    try {
      ext.child.kill("SIGKILL");
      // the interval is 30 s: any report now comes from the probe
      const event = await waitFor(() => events()[0], 10_000, "an event report");
      expect(event.body.services).toEqual([expect.objectContaining({ name: "ext0", status: "down" })]);
    } finally {
      await runner.stop();
    }
  });

  it("makes one report for a burst of services going down together, and none while they stay down", async () => {
    const exts = await outsideServices(3);
    const { runner, events } = await startRunner(exts.map((e) => e.config));
    try {
      for (const e of exts) e.child.kill("SIGKILL");
      await waitFor(() => events().length >= 1, 10_000, "an event report");
      await new Promise((r) => setTimeout(r, 2_000));
      expect(events()).toHaveLength(1);
      expect(events()[0].body.services.map((s: { status: string }) => s.status)).toEqual([
        "down",
        "down",
        "down",
      ]);
    } finally {
      await runner.stop();
    }
  });

  it("sends at most one event report a second however fast services go down", async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const { runner, events, server } = await startRunner(
      ports.map((port, i) => ({ name: `own${i}`, kind: "process", start: serverArgv(port) })),
    );
    try {
      const pids: number[] = server.seen[0].body.services.map((s: { pid: number }) => s.pid);
      for (const pid of pids) killAtCleanup(pid);
      // three exits 300 ms apart: without the limit, three event reports within a second
      for (const pid of pids) {
        process.kill(pid, "SIGKILL");
        await new Promise((r) => setTimeout(r, 300));
      }
      await waitFor(
        () => events().some((e) => e.body.services.every((s: { status: string }) => s.status === "down")),
        10_000,
        "a report of all three down",
      );
      await new Promise((r) => setTimeout(r, 1_500));
      expect(events().length).toBeLessThanOrEqual(2);
    } finally {
      await runner.stop();
    }
  });

  it("leaves a service stopped on purpose alone: its exit is not news", async () => {
    const [ext] = await outsideServices(1);
    const { runner, events } = await startRunner([ext.config]);
    try {
      runner.services.stopped.mark("ext0", "stop_service");
      ext.child.kill("SIGKILL");
      await new Promise((r) => setTimeout(r, 2_000));
      expect(events()).toEqual([]);
    } finally {
      await runner.stop();
    }
  });

  it("sees a lost service only once until a full check finds it up again", async () => {
    const [ext] = await outsideServices(1);
    const manager = new ServiceManager([configFor({ services: [ext.config] }).services[0]]);
    const probes = new LivenessProbes(manager);
    probes.observe(await manager.checkAll());
    expect(await probes.probe()).toEqual([]);
    ext.child.kill("SIGKILL");
    await waitFor(async () => !(await manager.checkAll())[0].pid, 5000, "the process gone");
    expect(await probes.probe()).toEqual(["ext0"]);
    expect(await probes.probe()).toEqual([]);
    probes.observe(await manager.checkAll());
    expect(await probes.probe()).toEqual([]);
  });
});

describe("liveness probe cadence", { timeout: 30_000 }, () => {
  it("polls a process it did not start every round, and its own child only every fifth: that exit is an event", async () => {
    const [ext] = await outsideServices(1);
    const own = { name: "own", kind: "process", start: serverArgv(await freePort()), autostart: true };
    const config = configFor({ services: [ext.config, own] });
    const exits: string[] = [];
    const manager = new ServiceManager(config.services, {
      paths: ensureStateDir(config.stateDir),
      onExit: (name) => exits.push(name),
    });
    await manager.autostart();
    const probes = new LivenessProbes(manager);
    probes.observe(await manager.checkAll());
    const [, ownState] = await manager.checkAll();
    killAtCleanup(ownState.pid);
    expect(probes.roundsToWait()).toBe(1); // the outside process has no exit event for the agent
    ext.child.kill("SIGKILL");
    await waitFor(async () => (await probes.probe()).includes("ext0"), 5000, "the outside service seen down");
    expect(probes.roundsToWait()).toBe(SLOW_EVERY); // only the child is left to watch
    process.kill(ownState.pid as number, "SIGKILL");
    await waitFor(() => exits.includes("own"), 5000, "the child's exit event");
  });
});

describe("liveness probe config", () => {
  it("probes every second unless told otherwise, takes 0 for off, and refuses a busy loop", () => {
    expect(configFor({}).probeIntervalSeconds).toBe(1);
    expect(configFor({ probeInterval: 0 }).probeIntervalSeconds).toBe(0);
    expect(() => configFor({ probeInterval: 0.01 })).toThrow(/probeInterval: 0 \(off\) or at least 0.1/);
    const svc = { name: "web", kind: "process", pidFile: "/run/web.pid" };
    const check = { http: "http://127.0.0.1:1/", probe: true };
    expect(configFor({ services: [{ ...svc, check }] }).services[0].check).toMatchObject({ probe: true });
  });
});
