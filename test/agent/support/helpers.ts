/** Shared test helpers for the agent: temp dirs, real child processes, stand-in executables. */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ActionContext } from "../../../agent/src/actions/types";
import { type AgentConfig, parseConfig, type ServiceConfig } from "../../../agent/src/config/schema";
import { ConfigKeeper } from "../../../agent/src/configs/keeper";
import { silentLogger } from "../../../agent/src/log";
import type { ServiceManager } from "../../../agent/src/services";
import type { StatePaths } from "../../../agent/src/state-dir";

const cleanups: (() => void | Promise<void>)[] = [];

/** Runs everything registered with onCleanup (call it from afterEach/afterAll). */
export async function cleanup(): Promise<void> {
  while (cleanups.length) await (cleanups.pop() as () => void | Promise<void>)();
}

export function onCleanup(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
}

export function tempDir(prefix = "selfheal-agent-test-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Kills a process (and its group, when it leads one) at cleanup time, whatever state it is in. */
export function killAtCleanup(pid: number | undefined): void {
  if (!pid) return;
  onCleanup(() => {
    for (const target of [-pid, pid])
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // gone already
      }
  });
}

/** Node code for a tiny HTTP server: node -e SERVER <port> [pidFile] [marker]. Answers 200 on every path. */
export const SERVER_JS = `
const [port, pidFile] = process.argv.slice(1);
const server = require("node:http").createServer((q, s) => s.end("ok"));
server.listen(Number(port), "127.0.0.1", () => {
  if (pidFile && pidFile !== "-") require("node:fs").writeFileSync(pidFile, process.pid + "\\n");
  console.log("listening on " + port);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

/** argv that starts SERVER_JS; the marker lands in the command line so `match` can find it. */
export const serverArgv = (port: number, pidFile = "-", marker = "selfheal-test") => [
  process.execPath,
  "-e",
  SERVER_JS,
  String(port),
  pidFile,
  marker,
];

/** Starts SERVER_JS as a child of the test (not through the agent), waits until it listens. */
export async function startServer(
  port: number,
  pidFile = "-",
  marker = "selfheal-test",
): Promise<ChildProcess> {
  const [cmd, ...args] = serverArgv(port, pidFile, marker);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
  killAtCleanup(child.pid);
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("listening")) resolve();
    });
  });
  return child;
}

type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

export async function waitFor<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 5000,
  what = "condition",
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Writes an executable shell script into dir (a stand-in for a real CLI on PATH). */
export function writeScript(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** Puts dir first on PATH until cleanup. */
export function prependPath(dir: string): void {
  const before = process.env.PATH;
  process.env.PATH = `${dir}${path.delimiter}${before}`;
  onCleanup(() => {
    process.env.PATH = before;
  });
}

export function configFor(raw: Record<string, unknown>, stateDir = tempDir()): AgentConfig {
  return parseConfig({ stateDir, ...raw });
}

export const quietLog = silentLogger;

/** A logger that keeps its lines, for asserting on what the agent said. */
export function memoryLog(): { lines: string[]; log: typeof silentLogger } {
  const lines: string[] = [];
  const push = (level: string) => (msg: string, fields?: object) =>
    lines.push(`${level} ${msg}${fields ? ` ${JSON.stringify(fields)}` : ""}`);
  return {
    lines,
    log: {
      error: push("error"),
      warn: push("warn"),
      notice: push("notice"),
      info: push("info"),
      debug: push("debug"),
    },
  };
}

export function isAliveForTest(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The configured service by name (failing the test if it is not configured). */
export function need(manager: ServiceManager, name: string): ServiceConfig {
  const svc = manager.get(name);
  if (!svc) throw new Error(`no service ${name} in the test config`);
  return svc;
}

/** Checks one configured service by name. */
export const look = (manager: ServiceManager, name: string) => manager.check(need(manager, name));

/** What the registry hands to action handlers, built from a parsed config. */
export function actionContext(
  config: AgentConfig,
  services: ServiceManager,
  paths?: StatePaths,
  over: Partial<ActionContext> = {},
): ActionContext {
  return {
    services,
    policy: config.actions,
    log: quietLog,
    collectNow: async () => "",
    config,
    paths,
    configs: new ConfigKeeper(config.configs, paths?.configs, quietLog),
    ...over,
  };
}

const CLI = path.resolve(import.meta.dirname, "../../../agent/src/cli.ts");

/** Runs the agent's real entry point (TypeScript through tsx, so no build is needed). */
export function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): {
  child: ChildProcess;
  result: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: opts.cwd ?? path.resolve(import.meta.dirname, "../../.."),
    env: opts.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  killAtCleanup(child.pid);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const result = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, result };
}
