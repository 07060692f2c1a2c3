import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "../../agent/src/config";
import { ensureStateDir } from "../../agent/src/state-dir";
import { AGENT_VERSION } from "../../agent/src/version";
import { cleanup, tempDir } from "./helpers";

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

  it("resolves relative paths against the config file and reports unreadable or non-JSON files", () => {
    const dir = tempDir();
    const file = path.join(dir, "agent.json");
    writeFileSync(
      file,
      JSON.stringify({ stateDir: "state", services: [{ name: "w", kind: "process", pidFile: "w.pid" }] }),
    );
    const cfg = loadConfig(file);
    expect(cfg.stateDir).toBe(path.join(dir, "state"));
    expect(cfg.services[0].pidFile).toBe(path.join(dir, "w.pid"));
    writeFileSync(file, "{ nope");
    expect(() => loadConfig(file)).toThrow(/not valid JSON/);
    expect(() => loadConfig(path.join(dir, "missing.json"))).toThrow(/cannot read config/);
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
