import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commandResultSchema } from "../../agent/protocol";
import { CommandJournal } from "../../agent/src/actions/journal";
import { ActionRegistry } from "../../agent/src/actions/registry";
import { ServiceManager } from "../../agent/src/services";
import { ensureStateDir } from "../../agent/src/state-dir";
import {
  actionContext,
  cleanup,
  configFor,
  isAliveForTest,
  killAtCleanup,
  look,
  prependPath,
  quietLog,
  tempDir,
  waitFor,
  writeScript,
} from "./support/helpers";

afterEach(cleanup);

let dir: string;
let calls: string;
const stateOf = (name: string) => path.join(dir, `${name}.state`);
const setState = (name: string, s: string) => writeFileSync(stateOf(name), `${s}\n`);
const recorded = () => readFileSync(calls, "utf8").trim().split("\n").filter(Boolean);

/** Stand-ins for systemctl and docker that log their argv and keep each unit's state in a file. */
beforeEach(() => {
  dir = tempDir();
  calls = path.join(dir, "calls.log");
  writeFileSync(calls, "");
  writeScript(
    dir,
    "systemctl",
    `echo "systemctl $*" >> "${calls}"
unit=$(eval echo "\\$$#"); f="${dir}/$unit.state"; s=$(cat "$f" 2>/dev/null)
case "$1" in
  show) printf 'ActiveState=%s\nMainPID=0\n' "\${s:-inactive}"; exit 0 ;;
  kill) [ "$s" = broken ] || echo failed > "$f"; exit 0 ;;
  start|restart) [ "$s" = broken ] && { echo "Job for $unit failed." >&2; exit 1; }; echo active > "$f"; exit 0 ;;
  stop) echo inactive > "$f"; exit 0 ;;
esac
exit 64`,
  );
  writeScript(
    dir,
    "docker",
    `echo "docker $*" >> "${calls}"
c=$(eval echo "\\$$#"); f="${dir}/$c.state"; s=$(cat "$f" 2>/dev/null)
case "$1" in
  inspect) printf '{"Status":"x","Running":%s,"Pid":0}\n' "\${s:-false}"; exit 0 ;;
  kill|stop) echo false > "$f"; echo "$c"; exit 0 ;;
  start|restart) echo true > "$f"; echo "$c"; exit 0 ;;
esac
exit 64`,
  );
  prependPath(dir);
});

let seq = 0;
const cmd = (action: string, target?: string) => ({
  id: `svc-${++seq}`,
  action,
  target,
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
});

function setup(services: unknown[], actions: Record<string, unknown>, stateDir = tempDir()) {
  const config = configFor({ services, actions }, stateDir);
  const paths = ensureStateDir(config.stateDir);
  const manager = new ServiceManager(config.services, {
    paths,
    log: quietLog,
    settleMs: 200,
    stopWaitMs: 300,
  });
  const registry = new ActionRegistry({
    journal: new CommandJournal(paths.journal),
    context: actionContext(config, manager, paths),
  });
  return { registry, manager, paths, config };
}

const unitsAndContainers = [
  { name: "nginx", kind: "systemd", unit: "nginx.service" },
  { name: "db", kind: "docker", container: "postgres" },
];

describe("force_restart", () => {
  it("kills a systemd unit with SIGKILL, then starts it and checks it is active", async () => {
    setState("nginx.service", "active");
    const { registry } = setup(unitsAndContainers, { force_restart: true });
    const result = await registry.execute(cmd("force_restart", "nginx"));
    expect(result).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(commandResultSchema.safeParse(result).success).toBe(true);
    expect(recorded()).toEqual([
      "systemctl kill --signal=SIGKILL nginx.service",
      "systemctl start nginx.service",
      "systemctl show -p ActiveState,SubState,MainPID nginx.service",
    ]);
  });

  it("kills a docker container with SIGKILL, then starts it", async () => {
    setState("postgres", "true");
    const { registry } = setup(unitsAndContainers, { force_restart: true });
    expect((await registry.execute(cmd("force_restart", "db")))?.status).toBe("succeeded");
    expect(recorded()).toEqual([
      "docker kill --signal=SIGKILL postgres",
      "docker start postgres",
      "docker inspect -f {{json .State}} postgres",
    ]);
  });

  it("reports the failed start with its exit code and output", async () => {
    setState("nginx.service", "broken");
    const { registry } = setup(unitsAndContainers, { force_restart: true });
    const result = await registry.execute(cmd("force_restart", "nginx"));
    expect(result).toMatchObject({ status: "failed", exitCode: 1 });
    expect(result?.output).toContain("Job for nginx.service failed.");
  });

  it("SIGKILLs a process that ignores SIGTERM at once, without waiting, and starts a new one", async () => {
    const stubborn = `process.on("SIGTERM", () => {}); setInterval(() => {}, 1000);`;
    const { registry, manager } = setup(
      [{ name: "worker", kind: "process", start: [process.execPath, "-e", stubborn] }],
      { force_restart: true },
    );
    await manager.autostart();
    const before = await waitFor(async () => (await look(manager, "worker")).pid);
    killAtCleanup(before);
    const result = await registry.execute(cmd("force_restart", "worker"));
    expect(result?.status).toBe("succeeded");
    expect(result?.output).toContain(`sent SIGKILL to pid ${before}`);
    expect(result?.output).not.toContain("sent SIGTERM");
    const after = (await look(manager, "worker")).pid;
    killAtCleanup(after);
    expect(after).not.toBe(before);
    expect(isAliveForTest(before)).toBe(false);
  });
});

describe("stop_service", () => {
  it("stops a systemd unit and reports it stopped on purpose, not down, even after an agent restart", async () => {
    setState("nginx.service", "active");
    const stateDir = tempDir();
    const { registry, manager } = setup(unitsAndContainers, { stop_service: true }, stateDir);
    const result = await registry.execute(cmd("stop_service", "nginx"));
    expect(result).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(recorded()).toContain("systemctl stop nginx.service");
    expect(await look(manager, "nginx")).toMatchObject({ status: "down", stopped: true });
    expect((await look(manager, "nginx")).detail).toMatch(/^stopped on purpose \(stop_service at /);

    const again = setup(unitsAndContainers, {}, stateDir);
    expect(await look(again.manager, "nginx")).toMatchObject({ stopped: true });
    expect((await look(again.manager, "db")).stopped).toBeUndefined();
  });

  it("is undone by restart_service and force_restart, which clear the stopped mark", async () => {
    setState("nginx.service", "active");
    setState("postgres", "true");
    const { registry, manager } = setup(unitsAndContainers, {
      stop_service: true,
      restart_service: true,
      force_restart: true,
    });
    await registry.execute(cmd("stop_service", "nginx"));
    await registry.execute(cmd("stop_service", "db"));
    expect((await registry.execute(cmd("restart_service", "nginx")))?.status).toBe("succeeded");
    expect((await registry.execute(cmd("force_restart", "db")))?.status).toBe("succeeded");
    expect(await look(manager, "nginx")).toEqual({
      name: "nginx",
      kind: "systemd",
      status: "up",
      detail: "nginx.service active",
    });
    expect((await look(manager, "db")).stopped).toBeUndefined();
  });

  it("stops a process the agent started and never autostarts it again", async () => {
    const { registry, manager, paths, config } = setup(
      [{ name: "worker", kind: "process", start: [process.execPath, "-e", "setInterval(() => {}, 1000)"] }],
      { stop_service: true },
    );
    await manager.autostart();
    const pid = await waitFor(async () => (await look(manager, "worker")).pid);
    killAtCleanup(pid);
    const result = await registry.execute(cmd("stop_service", "worker"));
    expect(result).toMatchObject({ status: "succeeded" });
    expect(result?.output).toContain(`pid ${pid} exited`);
    // Gone, or a zombie for the instant before Node reaps its child.
    await waitFor(() => !isAliveForTest(pid), 5000);
    const restarted = new ServiceManager(config.services, { paths, log: quietLog, settleMs: 200 });
    await restarted.autostart();
    expect(await look(restarted, "worker")).toMatchObject({ status: "down", stopped: true });
  });

  it("is limited to the services its list names", async () => {
    const { registry } = setup(unitsAndContainers, { stop_service: { services: ["db"] } });
    expect(await registry.execute(cmd("stop_service", "nginx"))).toMatchObject({
      status: "refused",
      output: "action stop_service is not enabled for nginx in this agent's config",
    });
    expect(recorded()).toEqual([]);
  });
});

describe("emergency_shutdown", () => {
  it("stops every configured service in reverse order and marks them all stopped", async () => {
    setState("nginx.service", "active");
    setState("postgres", "true");
    const { registry, manager } = setup(unitsAndContainers, { emergency_shutdown: true });
    const result = await registry.execute(cmd("emergency_shutdown"));
    expect(result).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(result?.output).toMatch(/^stopped 2 of 2 services\ndb: succeeded .*\nnginx: succeeded/);
    expect(recorded().filter((c) => / stop /.test(c))).toEqual([
      "docker stop postgres",
      "systemctl stop nginx.service",
    ]);
    for (const name of ["nginx", "db"]) {
      const s = await look(manager, name);
      expect(s).toMatchObject({ stopped: true, status: "down" });
      expect(s.detail).toContain("emergency_shutdown");
    }
  });

  it("is refused unless the config enables it", async () => {
    const { registry } = setup(unitsAndContainers, { stop_service: true });
    expect(await registry.execute(cmd("emergency_shutdown"))).toMatchObject({
      status: "refused",
      output: "action emergency_shutdown is not enabled in this agent's config",
    });
    expect(recorded()).toEqual([]);
  });
});
