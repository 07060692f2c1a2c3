import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ServiceManager } from "../../agent/src/services";
import {
  cleanup,
  configFor,
  look,
  need,
  prependPath,
  quietLog,
  tempDir,
  writeScript,
} from "./support/helpers";

afterEach(cleanup);

let dir: string;
let calls: string;
let state: string;

/** Stand-ins for systemctl and docker: they log their argv and answer from a state file, like the real CLIs. */
beforeEach(() => {
  dir = tempDir();
  calls = path.join(dir, "calls.log");
  state = path.join(dir, "state");
  writeFileSync(calls, "");
  writeScript(
    dir,
    "systemctl",
    `echo "systemctl $*" >> "${calls}"
s=$(cat "${state}")
case "$1" in
  show) printf 'MainPID=%s\nActiveState=%s\nSubState=%s\n' "$([ "$s" = active ] && echo 4242 || echo 0)" "$s" "$([ "$s" = active ] && echo running || echo "$s")"; exit 0 ;;
  restart) if [ "$s" = broken ]; then echo "Job for $2 failed because the control process exited with error code." >&2; exit 1; fi
           echo active > "${state}"; exit 0 ;;
esac
exit 64`,
  );
  writeScript(
    dir,
    "docker",
    `echo "docker $*" >> "${calls}"
s=$(cat "${state}")
case "$1" in
  inspect) [ "$s" = missing ] && { echo "Error: No such object: $4" >&2; exit 1; }
           [ "$s" = daemon-down ] && { echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock" >&2; exit 1; }
           cat "${state}.json" 2>/dev/null || printf '{"Status":"%s","Running":%s,"Pid":%s,"ExitCode":%s}\n' "$([ "$s" = true ] && echo running || echo exited)" "$s" "$([ "$s" = true ] && echo 2870 || echo 0)" "$([ "$s" = true ] && echo 0 || echo 137)"; exit 0 ;;
  restart) echo true > "${state}"; echo "$2"; exit 0 ;;
esac
exit 64`,
  );
  prependPath(dir);
});

const setState = (s: string) => writeFileSync(state, `${s}\n`);
const recorded = () => readFileSync(calls, "utf8").trim().split("\n").filter(Boolean);

function manager(services: unknown[]) {
  const cfg = configFor({ services });
  return new ServiceManager(cfg.services, { log: quietLog });
}

describe("systemd services", () => {
  it("are up when systemctl show says active (with the main pid), down with the unit's state otherwise", async () => {
    const m = manager([{ name: "nginx", kind: "systemd", unit: "nginx.service" }]);
    setState("active");
    expect(await look(m, "nginx")).toMatchObject({
      status: "up",
      kind: "systemd",
      pid: 4242,
      detail: "nginx.service active (running)",
    });
    setState("failed");
    expect(await look(m, "nginx")).toMatchObject({ status: "down", detail: "nginx.service failed" });
    const show = "systemctl show -p ActiveState,SubState,MainPID nginx.service";
    expect(recorded()).toEqual([show, show]);
  });

  it("are restarted with systemctl restart <unit> and verified active", async () => {
    const m = manager([{ name: "nginx", kind: "systemd" }]);
    setState("failed");
    const outcome = await m.restart("nginx");
    expect(outcome).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(recorded()).toEqual([
      "systemctl restart nginx",
      "systemctl show -p ActiveState,SubState,MainPID nginx",
    ]);
  });

  it("report a failed restart with systemctl's exit code and message", async () => {
    const m = manager([{ name: "nginx", kind: "systemd" }]);
    setState("broken");
    const outcome = await m.restart("nginx");
    expect(outcome).toMatchObject({ status: "failed", exitCode: 1 });
    expect(outcome.output).toContain("Job for nginx failed");
  });
});

describe("docker services", () => {
  it("are up when the container is running, down when stopped or missing, unknown without a daemon", async () => {
    const m = manager([{ name: "db", kind: "docker", container: "postgres" }]);
    const db = need(m, "db");
    setState("true");
    expect(await m.check(db)).toMatchObject({
      status: "up",
      pid: 2870,
      detail: "container postgres running",
    });
    setState("false");
    expect(await m.check(db)).toMatchObject({
      status: "down",
      detail: "container postgres not running (exited, exit 137)",
    });
    setState("missing");
    expect((await m.check(db)).detail).toContain("No such object: postgres");
    setState("daemon-down");
    expect(await m.check(db)).toMatchObject({ status: "unknown" });
    expect(recorded()[0]).toBe("docker inspect -f {{json .State}} postgres");
  });

  it("are restarted with docker restart <container>", async () => {
    const m = manager([{ name: "db", kind: "docker", container: "postgres" }]);
    setState("false");
    const outcome = await m.restart("db");
    expect(outcome).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(recorded()).toEqual(["docker restart postgres", "docker inspect -f {{json .State}} postgres"]);
  });

  it("count the container's HEALTHCHECK as its check: unhealthy is down with the probe's last output", async () => {
    const m = manager([{ name: "web", kind: "docker", container: "web" }]);
    // docker inspect -f '{{json .State}}' of a container whose HEALTHCHECK fails (Engine API ContainerState)
    const unhealthy = {
      Status: "running",
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 2870,
      ExitCode: 0,
      Error: "",
      StartedAt: "2026-12-06T10:00:00.123456789Z",
      FinishedAt: "0001-01-01T00:00:00Z",
      Health: {
        Status: "unhealthy",
        FailingStreak: 3,
        Log: [
          {
            Start: "2026-12-06T10:01:00.1Z",
            End: "2026-12-06T10:01:00.2Z",
            ExitCode: 1,
            Output: "curl: (7) Failed to connect to localhost port 80\n",
          },
        ],
      },
    };
    setState("true");
    writeFileSync(`${state}.json`, JSON.stringify(unhealthy));
    expect(await look(m, "web")).toMatchObject({
      status: "down",
      pid: 2870,
      detail: "container web unhealthy (3 failing checks): curl: (7) Failed to connect to localhost port 80",
    });
    writeFileSync(
      `${state}.json`,
      JSON.stringify({ ...unhealthy, Health: { Status: "starting", Log: null } }),
    );
    expect(await look(m, "web")).toMatchObject({
      status: "up",
      detail: "container web running, health starting",
    });
    writeFileSync(`${state}.json`, JSON.stringify({ ...unhealthy, Health: { Status: "healthy", Log: [] } }));
    expect(await look(m, "web")).toMatchObject({ status: "up", detail: "container web healthy" });
  });

  it("are unknown, not down, when the docker CLI is not installed", async () => {
    process.env.PATH = "/nonexistent";
    const m = manager([{ name: "db", kind: "docker" }]);
    const s = await look(m, "db");
    expect(s.status).toBe("unknown");
    expect(s.detail).toContain("ENOENT");
  });
});
