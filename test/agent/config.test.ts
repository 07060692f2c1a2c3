import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../agent/src/config/schema";
import { loadAgentConfig } from "../../agent/src/config/source";
import { ensureStateDir } from "../../agent/src/state-dir";
import { AGENT_VERSION } from "../../agent/src/version";
import { cleanup, tempDir } from "./support/helpers";

afterEach(cleanup);

const errorOf = (raw: unknown): string => {
  try {
    parseConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a config error");
};

describe("config", () => {
  it("fills in defaults: 30 s interval, the hostname as name, ~/.selfheal-agent, health_check on, restart off", () => {
    const cfg = parseConfig({ server: "https://heal.example.com/", token: "t" });
    expect(cfg.intervalSeconds).toBe(30);
    expect(cfg.name).toBe(os.hostname().replace(/[^A-Za-z0-9._:@-]/g, "-"));
    expect(cfg.stateDir).toBe(path.join(os.homedir(), ".selfheal-agent"));
    expect(cfg.server).toBe("https://heal.example.com");
    expect(cfg.actions).toEqual({ health_check: {} });
  });

  it("accepts the full documented shape", () => {
    const cfg = parseConfig({
      server: "http://127.0.0.1:8787",
      token: "enroll-token",
      name: "web-1",
      interval: 10,
      stateDir: "/tmp/x",
      services: [
        {
          name: "web",
          kind: "process",
          start: ["node", "server.js"],
          stop: ["node", "stop.js"],
          pidFile: "/run/web.pid",
          cwd: "/srv/web",
          env: { PORT: "3000" },
          check: { http: "http://127.0.0.1:3000/health", timeoutMs: 1000 },
        },
        { name: "api", kind: "process", match: "api\\.js", check: { tcp: "127.0.0.1:4000" } },
        { name: "nginx", kind: "systemd", unit: "nginx.service" },
        { name: "db", kind: "docker", container: "postgres" },
      ],
      actions: { restart_service: { services: ["web", "nginx"] }, health_check: false },
    });
    expect(cfg.services.map((s) => s.name)).toEqual(["web", "api", "nginx", "db"]);
    expect(cfg.services[1].check).toEqual({ tcp: "127.0.0.1:4000", timeoutMs: 3000 });
    expect(cfg.services[0].autostart).toBe(true);
    expect(cfg.services[1].autostart).toBe(false);
    expect(cfg.actions).toEqual({ restart_service: { services: ["web", "nginx"] } });
  });

  it("names the field of every error", () => {
    const msg = errorOf({
      server: "ftp://x",
      interval: 0,
      services: [{ name: "web", kind: "process", start: [], check: { http: "not a url" } }],
    });
    expect(msg).toContain("server:");
    expect(msg).toContain("interval:");
    expect(msg).toContain("services[0].start:");
    expect(msg).toContain("services[0].check");
  });

  it("refuses an action name it has no handler for", () => {
    expect(errorOf({ actions: { reboot_host: true } })).toMatch(
      /actions\.reboot_host: unknown action "reboot_host"/,
    );
  });

  it("refuses a restart_service list naming a service that is not configured", () => {
    const msg = errorOf({
      services: [{ name: "web", kind: "systemd" }],
      actions: { restart_service: { services: ["web", "db"] } },
    });
    expect(msg).toContain('actions.restart_service.services[1]: "db" is not a configured service');
  });

  it("requires a process service to say how to find or start it", () => {
    expect(errorOf({ services: [{ name: "web", kind: "process" }] })).toContain(
      "services[0]: a process service needs pidFile, match or start",
    );
  });

  it("refuses an invalid match pattern, unknown fields, duplicate names and process-only fields elsewhere", () => {
    expect(errorOf({ services: [{ name: "a", kind: "process", match: "(" }] })).toContain(
      "services[0].match",
    );
    expect(errorOf({ services: [{ name: "a", kind: "docker", colour: "red" }] })).toContain("services[0]");
    expect(
      errorOf({
        services: [
          { name: "a", kind: "docker" },
          { name: "a", kind: "systemd" },
        ],
      }),
    ).toContain('services[1].name: duplicate service "a"');
    expect(errorOf({ services: [{ name: "a", kind: "systemd", start: ["x"] }] })).toContain(
      "services[0].start",
    );
    expect(errorOf({ services: [{ name: "a b", kind: "docker" }] })).toContain("services[0].name");
  });

  it("resolves relative paths against the config file and reports unreadable or non-JSON files", async () => {
    const dir = tempDir();
    const file = path.join(dir, "agent.json");
    writeFileSync(
      file,
      JSON.stringify({ stateDir: "state", services: [{ name: "w", kind: "process", pidFile: "w.pid" }] }),
    );
    const cfg = await loadAgentConfig(file, {});
    expect(cfg.stateDir).toBe(path.join(dir, "state"));
    expect(cfg.services[0].pidFile).toBe(path.join(dir, "w.pid"));
    writeFileSync(file, "{ nope");
    await expect(loadAgentConfig(file, {})).rejects.toThrow(/not valid JSON: .* at line 1 column/);
    await expect(loadAgentConfig(path.join(dir, "missing.json"), {})).rejects.toThrow(/cannot read config/);
  });

  it("accepts the recovery sections, with defaults, and resolves their relative paths", async () => {
    const dir = tempDir();
    const file = path.join(dir, "agent.json");
    writeFileSync(
      file,
      JSON.stringify({
        services: [{ name: "web", kind: "systemd" }],
        actions: {
          force_restart: { services: ["web"] },
          stop_service: true,
          clear_cache: true,
          reset_config: true,
          validate_config: true,
          bless_config: true,
          emergency_backup: true,
          lockdown: true,
          unlock: true,
          emergency_shutdown: true,
          run_script: true,
        },
        caches: [{ name: "tmp", path: "cache", maxAgeSeconds: 3600 }],
        configs: [
          { name: "app", path: "app.json" },
          { name: "nginx", path: "/etc/nginx/nginx.conf", validate: ["nginx", "-t", "-c", "{path}"] },
        ],
        backup: { paths: ["data"] },
        lockdown: { lock: ["ufw", "default", "deny"], unlock: ["ufw", "default", "allow"] },
        scripts: { rotate: { command: ["logrotate", "-f", "/etc/logrotate.conf"], timeoutMs: 5000 } },
        autonomy: {},
      }),
    );
    const cfg = await loadAgentConfig(file, {});
    expect(cfg.caches).toEqual([{ name: "tmp", path: path.join(dir, "cache"), maxAgeSeconds: 3600 }]);
    expect(cfg.configs[0]).toEqual({ name: "app", path: path.join(dir, "app.json"), timeoutMs: 30_000 });
    expect(cfg.backup).toEqual({ paths: [path.join(dir, "data")], keep: 5, timeoutMs: 120_000 });
    expect(cfg.lockdown?.timeoutMs).toBe(60_000);
    expect(cfg.scripts.rotate.timeoutMs).toBe(5000);
    expect(cfg.autonomy).toEqual({ afterSeconds: 120, maxRestarts: 3, windowSeconds: 600 });
    expect(cfg.actions.force_restart).toEqual({ services: ["web"] });
    expect(cfg.actions.emergency_shutdown).toEqual({});
    expect(parseConfig({}).autonomy).toBeUndefined();
  });

  it("refuses an enabled action whose config section is missing, naming the action", () => {
    const msg = errorOf({
      actions: {
        clear_cache: true,
        run_script: true,
        lockdown: true,
        reset_config: true,
        emergency_backup: true,
      },
    });
    expect(msg).toContain('actions.clear_cache: clear_cache needs "caches" in the config');
    expect(msg).toContain('actions.run_script: run_script needs "scripts" in the config');
    expect(msg).toContain('actions.lockdown: lockdown needs "lockdown" in the config');
    expect(msg).toContain('actions.reset_config: reset_config needs "configs" in the config');
    expect(msg).toContain('actions.emergency_backup: emergency_backup needs "backup" in the config');
  });

  it("names the field of each recovery-section mistake", () => {
    const crossField = errorOf({
      services: [{ name: "web", kind: "systemd" }],
      actions: { stop_service: { services: ["db"] } },
      caches: [
        { name: "a", path: "/tmp/a" },
        { name: "a", path: "/tmp/b" },
      ],
      configs: [{ name: "app", path: "/etc/app.conf" }],
    });
    expect(crossField).toContain('actions.stop_service.services[0]: "db" is not a configured service');
    expect(crossField).toContain('caches[1].name: duplicate name "a"');
    expect(crossField).toContain('configs[0]: say how to validate it: "validate" (argv) or "format"');
    const msg = errorOf({
      actions: { clear_cache: { services: ["web"] } },
      lockdown: { lock: ["fw", "close"] },
      scripts: { "bad name": { command: ["x"] }, ok: { command: [] } },
      autonomy: { afterSeconds: 0 },
    });
    expect(msg).toContain("actions.clear_cache: expected true or false");
    expect(msg).toContain("lockdown.unlock:");
    expect(msg).toContain("scripts.bad name");
    expect(msg).toContain("scripts.ok.command:");
    expect(msg).toContain("autonomy.afterSeconds:");
  });

  it("refuses a cache at the filesystem root", () => {
    expect(errorOf({ caches: [{ name: "all", path: "/" }] })).toContain(
      "caches[0].path: / is the filesystem root",
    );
  });

  it("creates the state directory private to its owner", () => {
    const root = path.join(tempDir(), "state");
    ensureStateDir(root);
    chmodSync(root, 0o755);
    const paths = ensureStateDir(root);
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(statSync(paths.logs).isDirectory()).toBe(true);
  });

  it("carries the same version as agent/package.json", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../agent/package.json", import.meta.url), "utf8"));
    expect(AGENT_VERSION).toBe(pkg.version);
  });
});
