import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CommandJournal } from "../../agent/src/actions/journal";
import { ActionRegistry } from "../../agent/src/actions/registry";
import { ServiceManager } from "../../agent/src/services";
import { startTicks } from "../../agent/src/services/proc";
import { ensureStateDir } from "../../agent/src/state-dir";
import {
  actionContext,
  cleanup,
  configFor,
  freePort,
  killAtCleanup,
  look,
  need,
  quietLog,
  serverArgv,
  startServer,
  tempDir,
  waitFor,
} from "./support/helpers";

afterEach(cleanup);

function managerFor(
  services: unknown[],
  extra: { onExit?: (name: string) => void; stopWaitMs?: number } = {},
) {
  const config = configFor({ services, actions: { restart_service: true } });
  const paths = ensureStateDir(config.stateDir);
  const manager = new ServiceManager(config.services, {
    paths,
    log: quietLog,
    settleMs: 300,
    stopWaitMs: extra.stopWaitMs ?? 2000,
    onExit: extra.onExit,
  });
  return { config, paths, manager };
}

const expireLater = () => new Date(Date.now() + 60_000).toISOString();
const pidOf = (state: { pid?: number }) => state.pid as number;

describe("process services", () => {
  it("are found by pid file and seen down once that process dies", async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, "web.pid");
    const port = await freePort();
    const child = await startServer(port, pidFile);
    const { manager } = managerFor([
      {
        name: "web",
        kind: "process",
        pidFile,
        check: { http: `http://127.0.0.1:${port}/`, timeoutMs: 1000 },
      },
    ]);
    const up = await look(manager, "web");
    expect(up).toMatchObject({ name: "web", kind: "process", status: "up", pid: child.pid });
    expect(up.detail).toMatch(/http 200/);
    child.kill("SIGKILL");
    await waitFor(async () => (await look(manager, "web")).status === "down", 3000, "down");
    const down = await look(manager, "web");
    expect(down.detail).toContain(`pid ${child.pid} from ${pidFile} is not running`);
  });

  it("are confirmed between reports only while the process the last probe found lives on", async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, "web.pid");
    const first = await startServer(await freePort(), pidFile);
    const { manager } = managerFor([{ name: "web", kind: "process", pidFile }]);
    const svc = manager.services[0];
    expect(manager.process.stillRunning(svc)).toBe(false); // nothing probed yet: look properly
    await manager.process.probe(svc);
    expect(manager.process.stillRunning(svc)).toBe(true);
    // restarted from outside: the pid file names a new process, which the shortcut must not vouch for
    first.kill("SIGKILL");
    await waitFor(() => !manager.process.stillRunning(svc), 3000, "the old process gone");
    const second = await startServer(await freePort(), pidFile);
    expect(manager.process.stillRunning(svc)).toBe(false);
    expect(await manager.process.probe(svc)).toMatchObject({ status: "up", pid: second.pid });
    expect(manager.process.stillRunning(svc)).toBe(true);
  });

  it("are found by a pattern over command lines, never matching the agent itself", async () => {
    const marker = `match-me-${process.pid}-${Date.now()}`;
    const child = await startServer(await freePort(), "-", marker);
    const { manager } = managerFor([
      { name: "api", kind: "process", match: marker },
      { name: "self", kind: "process", match: "vitest|node" },
    ]);
    expect(await look(manager, "api")).toMatchObject({ status: "up", pid: child.pid });
    const self = await look(manager, "self");
    expect(self.pid).not.toBe(process.pid);
    child.kill("SIGKILL");
    await waitFor(async () => (await look(manager, "api")).status === "down", 3000, "down");
    expect((await look(manager, "api")).detail).toContain(`no process matches /${marker}/`);
  });

  it("report a process alive but failing its http check as down, with the reason", async () => {
    const port = await freePort();
    const child = await startServer(port, "-", `failing-check-${port}`);
    const { manager } = managerFor([
      {
        name: "web",
        kind: "process",
        match: `failing-check-${port}`,
        check: { http: `http://127.0.0.1:${await freePort()}/`, timeoutMs: 500 },
      },
      { name: "tcp", kind: "process", match: `failing-check-${port}`, check: { tcp: `127.0.0.1:${port}` } },
    ]);
    const [web, tcp] = await manager.checkAll();
    expect(web).toMatchObject({ status: "down", pid: child.pid });
    expect(web.detail).toMatch(/check failed: http/);
    expect(tcp).toMatchObject({ status: "up" });
    expect(tcp.detail).toMatch(/tcp connected/);
  });

  it("start detached in their own process group, with output appended to the service's log", async () => {
    const port = await freePort();
    const { manager, paths } = managerFor([{ name: "web", kind: "process", start: serverArgv(port) }]);
    await manager.autostart();
    const state = await look(manager, "web");
    killAtCleanup(state.pid);
    expect(state).toMatchObject({ status: "up" });
    const stat = readFileSync(`/proc/${state.pid}/stat`, "utf8");
    const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
    expect(pgrp).toBe(state.pid);
    await waitFor(() =>
      readFileSync(path.join(paths.logs, "web.log"), "utf8").includes(`listening on ${port}`),
    );
  });

  it("are still known after an agent restart by the pid the agent recorded", async () => {
    const port = await freePort();
    const svc = { name: "web", kind: "process", start: serverArgv(port) };
    const first = managerFor([svc]);
    await first.manager.autostart();
    const pid = pidOf(await look(first.manager, "web"));
    killAtCleanup(pid);
    const again = new ServiceManager(first.config.services, { paths: first.paths, log: quietLog });
    expect(await look(again, "web")).toMatchObject({ status: "up", pid });
    expect(startTicks(pid)).toBeGreaterThan(0);
  });

  it("tell the agent when a process it started exits on its own, but not when it restarts it", async () => {
    const exits: string[] = [];
    const port = await freePort();
    const { manager } = managerFor([{ name: "web", kind: "process", start: serverArgv(port) }], {
      onExit: (name) => exits.push(name),
    });
    await manager.autostart();
    const first = pidOf(await look(manager, "web"));
    killAtCleanup(first);
    expect((await manager.restart("web")).status).toBe("succeeded");
    const second = pidOf(await look(manager, "web"));
    killAtCleanup(second);
    expect(exits).toEqual([]);
    process.kill(second, "SIGKILL");
    await waitFor(() => exits.length === 1, 3000, "the exit event");
    expect(exits).toEqual(["web"]);
  });
});

describe("restart_service on a process service", () => {
  it("restarts a killed process and the http check sees it up again", async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, "web.pid");
    const port = await freePort();
    const { manager, config, paths } = managerFor([
      {
        name: "web",
        kind: "process",
        pidFile,
        start: serverArgv(port, pidFile),
        check: { http: `http://127.0.0.1:${port}/`, timeoutMs: 1000 },
      },
    ]);
    const registry = new ActionRegistry({
      journal: new CommandJournal(paths.journal),
      context: actionContext(config, manager, paths),
    });
    await manager.autostart();
    const web = need(manager, "web");
    const before = await waitFor(async () => {
      const s = await manager.check(web);
      return s.status === "up" && s;
    });
    killAtCleanup(before.pid);
    process.kill(pidOf(before), "SIGKILL");
    await waitFor(async () => (await manager.check(web)).status === "down", 3000, "down");

    const result = await registry.execute({
      id: "c1",
      action: "restart_service",
      target: "web",
      expiresAt: expireLater(),
    });
    expect(result).toMatchObject({ commandId: "c1", status: "succeeded", exitCode: 0 });
    expect(result?.output).toMatch(/started pid \d+/);
    const after = await waitFor(async () => {
      const s = await manager.check(web);
      return s.status === "up" && s;
    });
    killAtCleanup(after.pid);
    expect(after.pid).not.toBe(before.pid);
    expect(after.detail).toMatch(/http 200/);
    expect(result?.output).toMatch(/check passed: http 200/);
  });

  it("stops a running process with SIGTERM first and SIGKILL when it will not go", async () => {
    const stubborn = `process.on("SIGTERM", () => {}); setInterval(() => {}, 1000); console.log("stubborn")`;
    const { manager } = managerFor(
      [{ name: "stubborn", kind: "process", start: [process.execPath, "-e", stubborn] }],
      {
        stopWaitMs: 300,
      },
    );
    await manager.autostart();
    const first = pidOf(await look(manager, "stubborn"));
    killAtCleanup(first);
    const outcome = await manager.restart("stubborn");
    const second = pidOf(await look(manager, "stubborn"));
    killAtCleanup(second);
    expect(outcome.status).toBe("succeeded");
    expect(outcome.output).toContain(`sent SIGTERM to pid ${first}`);
    expect(outcome.output).toContain("sent SIGKILL");
    expect(second).not.toBe(first);
  });

  it("runs the configured stop argv instead of signalling", async () => {
    const dir = tempDir();
    const marker = path.join(dir, "stopped");
    const port = await freePort();
    const stop = [process.execPath, "-e", `require("fs").writeFileSync(${JSON.stringify(marker)}, "yes")`];
    const { manager } = managerFor([{ name: "web", kind: "process", start: serverArgv(port), stop }], {
      stopWaitMs: 300,
    });
    await manager.autostart();
    killAtCleanup(pidOf(await look(manager, "web")));
    const outcome = await manager.restart("web");
    killAtCleanup(pidOf(await look(manager, "web")));
    expect(readFileSync(marker, "utf8")).toBe("yes");
    expect(outcome.output).toMatch(/stop: .* exited 0/);
  });

  it("fails clearly, touching nothing, when the service has no start command", async () => {
    const child = await startServer(await freePort(), "-", "no-start-cmd");
    const { manager } = managerFor([{ name: "api", kind: "process", match: "no-start-cmd" }]);
    const outcome = await manager.restart("api");
    expect(outcome).toMatchObject({ status: "failed", exitCode: null });
    expect(outcome.output).toContain('no "start" command');
    expect(child.exitCode).toBeNull();
  });

  it("fails with the exit code and the end of the log when the new process dies at once", async () => {
    const crash = [process.execPath, "-e", `console.error("cannot bind"); process.exit(3)`];
    const { manager } = managerFor([{ name: "crashy", kind: "process", start: crash, autostart: false }]);
    const outcome = await manager.restart("crashy");
    expect(outcome).toMatchObject({ status: "failed", exitCode: 3 });
    expect(outcome.output).toContain("cannot bind");
  });

  it("fails when the start program does not exist", async () => {
    const { manager } = managerFor([
      { name: "ghost", kind: "process", start: ["/nonexistent/ghostd"], autostart: false },
    ]);
    const outcome = await manager.restart("ghost");
    expect(outcome.status).toBe("failed");
    expect(outcome.output).toContain("could not start /nonexistent/ghostd: ENOENT");
  });
});
