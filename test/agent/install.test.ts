import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { memoryCollector } from "../../agent/src/collectors/memory";
import { readNetCounters } from "../../agent/src/collectors/network";
import { setProcRoot } from "../../agent/src/collectors/procfs";
import { parseConfig } from "../../agent/src/config/schema";
import { loadAgentConfig, withEnv } from "../../agent/src/config/source";
import { createLogger } from "../../agent/src/log";
import { connectProxy } from "../support/connect-proxy";
import { fakeServer, reportOk } from "./support/fake-server";
import { cleanup, onCleanup, runCli, tempDir, waitFor } from "./support/helpers";

afterEach(cleanup);

/** A stand-in executable on PATH printing fixed output (systemctl, docker). */
function fakeTool(dir: string, name: string, stdout: string) {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\ncat <<'OUT'\n${stdout}\nOUT\n`);
  chmodSync(file, 0o755);
}

/** The environment of an agent configured by variables alone (no proxy unless asked). */
function agentEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  return { ...env, ...extra };
}

const enrollThenReport = () =>
  fakeServer((req) =>
    req.url.endsWith("/enroll")
      ? { status: 201, body: { hostId: "h-env", agentToken: "agent-env" } }
      : reportOk(),
  );

describe("selfheal-agent init", () => {
  it("writes a commented 0600 config the agent loads as is: only health_check on, found services offered commented out", async () => {
    const dir = tempDir();
    const bin = path.join(dir, "bin");
    mkdirSync(bin);
    fakeTool(
      bin,
      "systemctl",
      "nginx.service loaded active running A high performance web server\nsystemd-journald.service loaded active running Journal",
    );
    fakeTool(bin, "docker", "redis-cache");
    const file = path.join(dir, "etc", "agent.json");
    const args = [
      "init",
      "--server",
      "https://heal.example.com/",
      "--token",
      "sh_enroll_x",
      "--name",
      "web-1",
    ];
    const r = await runCli([...args, "--config", file], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    }).result;
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/^\s*\/\/ .*"nginx".*"kind": "systemd".*"unit": "nginx.service"/m);
    expect(text).toMatch(/^\s*\/\/ .*"redis-cache".*"kind": "docker"/m);
    expect(text).not.toContain("journald");
    const cfg = await loadAgentConfig(file, {});
    expect(cfg).toMatchObject({ server: "https://heal.example.com", token: "sh_enroll_x", name: "web-1" });
    expect(cfg.services).toEqual([]);
    expect(Object.keys(cfg.actions)).toEqual(["health_check"]);

    const again = await runCli([...args, "--config", file]).result;
    expect(again.code).toBe(73);
    expect(again.stderr).toContain("--force replaces it");
    expect(readFileSync(file, "utf8")).toBe(text);
  }, 60_000);
});

describe("configuration by environment variables", () => {
  it("takes SELFHEAL_SERVER, _TOKEN, _NAME, _STATE_DIR over the file's values", async () => {
    const dir = tempDir();
    const file = path.join(dir, "agent.json");
    writeFileSync(
      file,
      JSON.stringify({ server: "https://file.example", token: "t-file", name: "from-file" }),
    );
    const env = {
      SELFHEAL_SERVER: "https://env.example",
      SELFHEAL_TOKEN: "t-env",
      SELFHEAL_NAME: "from-env",
      SELFHEAL_STATE_DIR: "rel-state",
    };
    const cfg = await loadAgentConfig(file, env);
    expect(cfg).toMatchObject({ server: "https://env.example", token: "t-env", name: "from-env" });
    expect(cfg.stateDir).toBe(path.resolve("rel-state"));
    expect((await loadAgentConfig(file, {})).server).toBe("https://file.example");
    expect(() => parseConfig(withEnv({}, { SELFHEAL_SERVER: "ftp://x" }))).toThrow(/server/);
  });

  it("accepts $schema in a config file", () => {
    expect(
      parseConfig({ $schema: "file:///usr/lib/node_modules/selfheal-agent/dist/config.schema.json" }).name,
    ).toBeTruthy();
  });

  it("runs from the environment alone and logs JSON lines with --log-format json", async () => {
    const server = await enrollThenReport();
    const state = path.join(tempDir(), "state");
    const { child, result } = runCli(["run", "--log-format", "json"], {
      env: agentEnv({
        SELFHEAL_SERVER: server.url,
        SELFHEAL_TOKEN: "enroll-env",
        SELFHEAL_NAME: "env-only-host",
        SELFHEAL_STATE_DIR: state,
      }),
    });
    await waitFor(() => server.seen.find((r) => r.url.endsWith("/report")), 30_000, "a report");
    const enroll = server.seen.find((r) => r.url.endsWith("/enroll"));
    expect(enroll?.auth).toBe("Bearer enroll-env");
    expect(enroll?.body.name).toBe("env-only-host");
    expect(existsSync(state)).toBe(true);
    child.kill("SIGTERM");
    const r = await result;
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split("\n");
    const records = lines.map((l) => JSON.parse(l) as { time: string; level: string; msg: string });
    expect(records.find((l) => l.msg === "agent started")).toMatchObject({
      level: "notice",
      hostId: "h-env",
    });
    for (const rec of records) expect(Date.parse(rec.time)).not.toBeNaN();
  }, 60_000);

  it("formats a log record as one JSON object whose core keys a field cannot hide", () => {
    const out: string[] = [];
    const log = createLogger({ format: "json", write: (l) => out.push(l), now: () => new Date(0) });
    log.notice("hello world", { msg: "sneaky", n: 2, skip: undefined });
    expect(JSON.parse(out[0])).toEqual({
      time: "1970-01-01T00:00:00.000Z",
      level: "notice",
      msg: "hello world",
      n: 2,
    });
  });
});

describe("procRoot (the host's /proc mounted into a container)", () => {
  it("reads the metrics under it, and the network counters of its pid 1's namespace", () => {
    const root = tempDir();
    mkdirSync(path.join(root, "1", "net"), { recursive: true });
    writeFileSync(path.join(root, "meminfo"), "MemTotal: 1000 kB\nMemAvailable: 250 kB\n");
    const dev = "Inter-|\n face |\n    lo: 9 0 0 0 0 0 0 0 9 0\n  eth0: 4096 0 0 0 0 0 0 0 2048 0\n";
    writeFileSync(path.join(root, "1", "net", "dev"), dev);
    setProcRoot(root);
    onCleanup(() => setProcRoot(undefined));
    expect(memoryCollector().collect()).toEqual({ memory: 75 });
    expect(readNetCounters()).toEqual({ rx: 4096, tx: 2048 });
  });
});

describe("HTTP proxy from the environment", () => {
  it("sends every request to the server through HTTP_PROXY's CONNECT tunnel, and none where NO_PROXY says so", async () => {
    const server = await enrollThenReport();
    const proxy = await connectProxy();
    onCleanup(proxy.close);
    const target = new URL(server.url).host;
    const viaProxy = runCli(["run"], {
      env: agentEnv({
        SELFHEAL_SERVER: server.url,
        SELFHEAL_TOKEN: "enroll-p",
        SELFHEAL_STATE_DIR: path.join(tempDir(), "state"),
        HTTP_PROXY: proxy.url,
      }),
    });
    await waitFor(
      () => server.seen.find((r) => r.url.endsWith("/report")),
      30_000,
      "a report through the proxy",
    );
    viaProxy.child.kill("SIGTERM");
    expect((await viaProxy.result).code).toBe(0);
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(proxy.tunnels.every((t) => t.target === target)).toBe(true);
    const sent = proxy.tunnels.map((t) => t.sent).join("");
    expect(sent).toContain("POST /api/v1/agent/enroll HTTP/1.1");
    expect(sent).toContain("POST /api/v1/agent/report HTTP/1.1");

    const before = proxy.tunnels.length;
    const seen = server.seen.length;
    const direct = runCli(["run"], {
      env: agentEnv({
        SELFHEAL_SERVER: server.url,
        SELFHEAL_TOKEN: "enroll-d",
        SELFHEAL_STATE_DIR: path.join(tempDir(), "state"),
        HTTP_PROXY: proxy.url,
        NO_PROXY: "127.0.0.1",
      }),
    });
    await waitFor(
      () => server.seen.slice(seen).find((r) => r.url.endsWith("/report")),
      30_000,
      "a direct report",
    );
    direct.child.kill("SIGTERM");
    await direct.result;
    expect(proxy.tunnels.length).toBe(before);
  }, 90_000);
});

describe("check as a Nagios plugin", () => {
  it("exits 3 (UNKNOWN) with one status line when it cannot check: an unreadable config, a bad flag", async () => {
    const missing = await runCli(["check", "--config", path.join(tempDir(), "nope.json")]).result;
    expect(missing.code).toBe(3);
    expect(missing.stdout).toMatch(/^UNKNOWN - cannot read config .*nope\.json/);
    const bad = await runCli(["check", "--frobnicate"]).result;
    expect(bad.code).toBe(3);
    expect(bad.stdout).toBe("UNKNOWN - unknown flag --frobnicate\n");
  }, 60_000);
});
