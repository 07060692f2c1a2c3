// Starts and stops the real parts (wrangler dev with local D1, the real agent) for `npm start`,
// the end-to-end tests and the benchmarks. Plain JavaScript so it runs before anything is built.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { START_ENV, START_FLAGS } from "../../agent/bin/start-flags.js";
import { envFileLine } from "./worker-vars.mjs";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = path.join(ROOT, "node_modules", ".bin");
export const AGENT_CLI = path.join(ROOT, "agent", "dist", "cli.js");
/** The package's launcher, which loads AGENT_CLI. */
const AGENT_BIN = path.join(ROOT, "agent", "bin", "selfheal-agent.js");

/** No internet here: without these wrangler tries to reach Cloudflare on every start (STACK.md). */
export const quietEnv = () => ({
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_UPDATE_NOTIFIER: "1",
});

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

export const newSecret = (prefix = "sh_admin_") => prefix + randomBytes(24).toString("hex");

/** Runs a command to completion; rejects with its output when it fails. */
export function run(cmd, args, { cwd = ROOT, env = quietEnv(), quiet = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit" });
    let out = "";
    child.stdout?.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}\n${out.slice(-4000)}`)),
    );
  });
}

export const wrangler = (args, opts) => run(path.join(BIN, "wrangler"), args, opts);

export async function applyMigrations(persistTo) {
  mkdirSync(persistTo, { recursive: true });
  await wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
}

export async function waitFor(check, { timeoutMs = 30_000, intervalMs = 100, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ""}`,
  );
}

/**
 * Starts `wrangler dev` on 127.0.0.1:port with D1 persisted under persistTo, and waits for
 * /api/health. The admin token and the other settings go in through an env file, so they never
 * show in `ps`.
 */
export async function startWorker({
  port,
  persistTo,
  adminToken,
  vars = {},
  log = /** @type {(line: string) => void} */ (() => {}),
  inherit = false,
}) {
  mkdirSync(persistTo, { recursive: true });
  const envFile = path.join(persistTo, "worker.env");
  // Links in notifications come only from SELFHEAL_PUBLIC_URL: locally, this very address.
  const all = { SELFHEAL_PUBLIC_URL: `http://127.0.0.1:${port}`, ...vars, SELFHEAL_ADMIN_TOKEN: adminToken };
  const lines = Object.entries(all).map(([k, v]) => envFileLine(k, v));
  writeFileSync(envFile, lines.join(""), { mode: 0o600 });
  const args = [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(await freePort()),
    "--persist-to",
    persistTo,
    "--env-file",
    envFile,
    "--test-scheduled",
    "--show-interactive-dev-session=false",
    "--log-level",
    "warn",
  ];
  // detached: wrangler runs workerd as a child; stopping the group stops both.
  const { proc, output } = spawnGroup(path.join(BIN, "wrangler"), args, { env: quietEnv(), inherit, log });
  let exited = false;
  proc.on("exit", () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (exited) throw new Error(`wrangler dev exited:\n${output().slice(-3000)}`);
      const res = await fetch(`${url}/api/health`);
      return res.ok;
    },
    { timeoutMs: 90_000, intervalMs: 250, what: `wrangler dev on ${url}` },
  ).catch((err) => {
    stopProcess(proc);
    throw err;
  });
  return { url, proc, output, stop: () => stopProcess(proc) };
}

/** The agent's environment variables that override its config file (agent/src/config/source.ts). */
const AGENT_ENV_OVERRIDES = [
  "SELFHEAL_SERVER",
  "SELFHEAL_TOKEN",
  "SELFHEAL_NAME",
  "SELFHEAL_STATE_DIR",
  "SELFHEAL_PROC_ROOT",
];

/**
 * The command that starts the real agent the way its systemd unit does: node with the agent's start
 * flags and start environment, running the package's launcher. Merge `env` over the caller's own.
 */
export const agentLaunch = (/** @type {string[]} */ args) => ({
  cmd: process.execPath,
  args: [...START_FLAGS, AGENT_BIN, ...args],
  env: START_ENV,
});

/** Starts the real agent (the built bundle) as a child process, as agentLaunch says. */
export function startAgent({
  configPath,
  log = /** @type {(line: string) => void} */ (() => {}),
  inherit = false,
  args = [],
}) {
  if (!existsSync(AGENT_CLI)) throw new Error(`${AGENT_CLI} is missing: run npm run build:agent`);
  // The config file is the whole config here: the agent's SELFHEAL_* overrides (npm start's own
  // SELFHEAL_STATE_DIR among them) would otherwise win over it.
  const launch = agentLaunch(["run", "--config", configPath, ...args]);
  const env = Object.fromEntries(
    Object.entries({ ...process.env, ...launch.env }).filter(([k]) => !AGENT_ENV_OVERRIDES.includes(k)),
  );
  const { proc, output } = spawnGroup(launch.cmd, launch.args, { env, inherit, log });
  return { proc, output, stop: () => stopProcess(proc) };
}

/** Spawns a child in its own process group, keeping its output (or passing it through). */
function spawnGroup(cmd, args, { env, inherit, log }) {
  const proc = spawn(cmd, args, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: inherit ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (d) => {
    output += d;
    log(String(d));
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  return { proc, output: () => output };
}

/** SIGTERM to the whole process group, SIGKILL if it is still there after timeoutMs. */
export function stopProcess(proc, timeoutMs = 5000) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve(undefined);
    const kill = (sig) => {
      try {
        process.kill(-proc.pid, sig);
      } catch {
        try {
          proc.kill(sig);
        } catch {}
      }
    };
    const timer = setTimeout(() => kill("SIGKILL"), timeoutMs);
    proc.once("exit", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    kill("SIGTERM");
  });
}

/** A JSON call to the API with a bearer token; throws with the error body on non-2xx. */
export async function api(base, token, method, pathname, body) {
  const res = await fetch(base + pathname, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${pathname} → ${res.status} ${text}`);
  return data;
}
