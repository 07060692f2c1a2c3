import { createPublicKey, verify } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { canonicalKeyProof } from "../../agent/protocol";
import { parseArgs, UsageError } from "../../agent/src/args";
import { MetricsCollector } from "../../agent/src/collectors";
import { CHECK_EXIT, formatCheck, runHealthCheck } from "../../agent/src/commands/check";
import { ensureStateDir, writeFileAtomic } from "../../agent/src/state-dir";
import { apiError, fakeServer, reportOk } from "./support/fake-server";
import {
  cleanup,
  configFor,
  freePort,
  isAliveForTest,
  killAtCleanup,
  runCli,
  serverArgv,
  tempDir,
  waitFor,
} from "./support/helpers";

afterEach(cleanup);

const cli = (args: string[]) => runCli(args);

const writeConfig = (raw: Record<string, unknown>) => {
  const dir = tempDir();
  const file = path.join(dir, "agent.json");
  writeFileSync(file, JSON.stringify({ stateDir: path.join(dir, "state"), ...raw }));
  return { file, dir, stateDir: path.join(dir, "state") };
};

const fixed = (metrics: Record<string, number>) =>
  new MetricsCollector([{ name: "fixed", collect: () => metrics }]);

describe("command line", () => {
  it("refuses unknown commands and flags as usage errors (exit 64)", async () => {
    expect(() => parseArgs(["reboot"])).toThrow(UsageError);
    expect(() => parseArgs(["init", "--server", "https://x"])).toThrow(
      /init needs --server <url> and --token/,
    );
    expect(() => parseArgs(["run", "--log-format", "xml"])).toThrow(
      /--log-format is text or json, not "xml"/,
    );
    expect(() => parseArgs(["check", "--frobnicate"])).toThrow(/unknown flag --frobnicate/);
    expect(() => parseArgs(["run", "--config", "x", "--json"])).toThrow(/--json does not apply to "run"/);
    expect(parseArgs(["check", "--config=a.json", "-v", "--json"])).toEqual({
      command: "check",
      config: "a.json",
      verbose: true,
      json: true,
      logFormat: "text",
      force: false,
    });
    const { result } = cli(["restart-everything"]);
    const r = await result;
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('unknown command "restart-everything"');
  });

  it("prints help and the version", async () => {
    const help = await cli(["--help"]).result;
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("selfheal-agent run [--config <file>]");
    expect((await cli(["--version"]).result).stdout.trim()).toBe("0.1.0");
  }, 20_000); // two processes started through tsx, one after the other

  it("exits 78 naming the bad field when the config is invalid", async () => {
    const { file } = writeConfig({ interval: "often" });
    const r = await cli(["run", "--config", file]).result;
    expect(r.code).toBe(78);
    expect(r.stderr).toContain("interval:");
  });
});

describe("check (one-time health check)", () => {
  it("is healthy (exit 0) with headroom everywhere and every service up", async () => {
    const report = await runHealthCheck({ collector: fixed({ cpu: 10, memory: 20, disk: 30 }), windowMs: 0 });
    expect(report).toMatchObject({ status: "healthy", issues: [] });
    expect(report.healthScore).toBeGreaterThan(70);
    expect(CHECK_EXIT[report.status]).toBe(0);
  });

  it("is degraded (exit 1) when a service is down, naming the issue", async () => {
    const config = configFor({
      services: [{ name: "web", kind: "process", pidFile: "/nonexistent/web.pid" }],
    });
    const report = await runHealthCheck({
      config,
      collector: fixed({ cpu: 10, memory: 20, disk: 30 }),
      windowMs: 0,
    });
    expect(report.status).toBe("degraded");
    expect(CHECK_EXIT[report.status]).toBe(1);
    expect(report.issues).toEqual([
      expect.objectContaining({ rule: "service_down", target: "web", severity: "high" }),
    ]);
    expect(formatCheck(report)).toMatch(/Health: degraded[\s\S]*web\s+down[\s\S]*Issues: 1\n {2}\[high\]/);
  });

  it("is critical (exit 2) when the disk is nearly full", async () => {
    const report = await runHealthCheck({ collector: fixed({ cpu: 10, memory: 20, disk: 99 }), windowMs: 0 });
    expect(report.status).toBe("critical");
    expect(CHECK_EXIT[report.status]).toBe(2);
  });

  it("runs from the command line on this host and exits with its status", async () => {
    const port = await freePort();
    const { file } = writeConfig({
      services: [
        {
          name: "web",
          kind: "process",
          pidFile: "/nonexistent.pid",
          check: { http: `http://127.0.0.1:${port}/` },
        },
      ],
    });
    const r = await cli(["check", "--config", file, "--json"]).result;
    const report = JSON.parse(r.stdout);
    expect(r.code).toBe(CHECK_EXIT[report.status as keyof typeof CHECK_EXIT]);
    expect(report.status).not.toBe("healthy");
    expect(report.services[0]).toMatchObject({ name: "web", status: "down" });
    for (const m of ["cpu", "memory", "swap", "disk", "load1", "net.rx"])
      expect(report.metrics).toHaveProperty([m]);
  });
});

describe("run", () => {
  it("enrolls, reports, and on SIGTERM exits 0 within seconds, leaving its services running", async () => {
    const server = await fakeServer((req) =>
      req.url.endsWith("/enroll")
        ? { status: 201, body: { hostId: "h1", agentToken: "agent-1" } }
        : reportOk(),
    );
    const port = await freePort();
    const { file } = writeConfig({
      server: server.url,
      token: "enroll-1",
      name: "cli-host",
      services: [{ name: "web", kind: "process", start: serverArgv(port) }],
    });
    const { child, result } = cli(["run", "--config", file]);
    const report = await waitFor(
      () => server.seen.find((r) => r.url.endsWith("/report")),
      10_000,
      "a report",
    );
    expect(report.auth).toBe("Bearer agent-1");
    const pid = report.body.services[0].pid;
    killAtCleanup(pid);
    const stoppedAt = Date.now();
    child.kill("SIGTERM");
    const r = await result;
    expect(r.code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(3000);
    expect(r.stderr).toMatch(/notice enrolled .*hostId=h1/);
    expect(isAliveForTest(pid)).toBe(true);
  });

  it("renews a refused agent token by proving its host key, and keeps reporting with the new one", async () => {
    let refused = 0;
    const server = await fakeServer((req) => {
      if (req.url.endsWith("/enroll")) return { status: 200, body: { hostId: "h1", agentToken: "agent-1" } };
      if (req.url.endsWith("/refresh")) return { status: 200, body: { hostId: "h1", agentToken: "agent-2" } };
      if (req.auth === "Bearer agent-1" && refused++ === 0)
        return apiError(401, "UNAUTHORIZED", "token revoked");
      return reportOk();
    });
    const { file, stateDir } = writeConfig({ server: server.url, token: "enroll-1", name: "cli-host" });
    const { child, result } = cli(["run", "--config", file]);
    const renewed = await waitFor(
      () => server.seen.find((r) => r.url.endsWith("/report") && r.auth === "Bearer agent-2"),
      15_000,
      "a report with the renewed token",
    );
    const enroll = server.seen.find((r) => r.url.endsWith("/enroll"));
    const refresh = server.seen.find((r) => r.url.endsWith("/refresh"));
    expect(server.seen.filter((r) => r.url.endsWith("/enroll"))).toHaveLength(1);
    expect(refresh?.auth).toBeUndefined();
    expect(refresh?.body).toMatchObject({ hostId: "h1", name: "cli-host" });
    const spki = Buffer.concat([
      Buffer.from("302a300506032b6570032100", "hex"),
      Buffer.from(enroll?.body.publicKey, "base64"),
    ]);
    const signed = Buffer.from(canonicalKeyProof("cli-host", refresh?.body.proof.at));
    const key = createPublicKey({ key: spki, format: "der", type: "spki" });
    expect(verify(null, signed, key, Buffer.from(refresh?.body.proof.signature, "base64"))).toBe(true);
    expect(renewed.at).toBeGreaterThan(refresh?.at ?? Infinity);
    expect(JSON.parse(readFileSync(path.join(stateDir, "agent-token.json"), "utf8")).agentToken).toBe(
      "agent-2",
    );
    child.kill("SIGTERM");
    const r = await result;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("proved this host's key for a fresh agent token");
  });

  it("exits non-zero saying why when the server rejects the stored agent token", async () => {
    const server = await fakeServer(() => apiError(401, "UNAUTHORIZED", "token revoked"));
    const { file, stateDir } = writeConfig({ server: server.url });
    const paths = ensureStateDir(stateDir);
    writeFileAtomic(paths.token, JSON.stringify({ agentToken: "old", hostId: "h", server: server.url }));
    const r = await cli(["run", "--config", file]).result;
    expect(r.code).toBe(77);
    expect(r.stderr).toContain("the server rejected this agent's token (401)");
  });
});
