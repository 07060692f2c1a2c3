#!/usr/bin/env node
// `npm start`: does all the set-up a fresh clone needs, then runs the Worker on
// http://127.0.0.1:${PORT:-8005} with local D1 and a local agent watching this host.
// Plain JavaScript: it has to run before dependencies are installed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const say = (msg) => console.log(`[selfheal] ${msg}`);

function step(what, cmd, args) {
  say(what);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`[selfheal] failed: ${cmd} ${args.join(" ")}`);
    process.exit(r.status ?? 1);
  }
}

if (!existsSync(path.join(ROOT, "node_modules", ".bin", "wrangler")))
  step("installing dependencies (npm ci)…", "npm", ["ci"]);
const stack = await import("./lib/stack.mjs");
const { workerVarsFrom } = await import("./lib/worker-vars.mjs");
if (!existsSync(stack.AGENT_CLI)) step("building the agent…", "npm", ["run", "build:agent"]);
step("building the dashboard…", "npm", ["run", "--silent", "build:web"]);

const port = Number(process.env.PORT ?? 8005);
const stateDir = path.resolve(process.env.SELFHEAL_STATE_DIR ?? path.join(ROOT, ".selfheal"));
const persistTo = path.join(stateDir, "wrangler");
mkdirSync(stateDir, { recursive: true, mode: 0o700 });

// The admin token: SELFHEAL_ADMIN_TOKEN if given, else one made on first start and kept (0600).
const tokenFile = path.join(stateDir, "admin-token");
let adminToken = process.env.SELFHEAL_ADMIN_TOKEN;
if (!adminToken) {
  if (!existsSync(tokenFile)) writeFileSync(tokenFile, stack.newSecret(), { mode: 0o600 });
  adminToken = readFileSync(tokenFile, "utf8").trim();
}

say("applying migrations to the local D1…");
await stack.applyMigrations(persistTo);

say(`starting the Worker on http://127.0.0.1:${port} …`);
let worker;
try {
  // Every Worker setting in this environment (SELFHEAL_PLATFORM_TOKEN, SELFHEAL_COMMAND_SIGNING_KEY,
  // SELFHEAL_PUBLIC_URL, ...) reaches the Worker through its env file, never its command line.
  const vars = workerVarsFrom(process.env);
  worker = await stack.startWorker({ port, persistTo, adminToken, vars, inherit: true });
} catch (err) {
  console.error(
    `[selfheal] the Worker did not start (is port ${port} in use? set PORT=…)\n${err instanceof Error ? err.message : err}`,
  );
  process.exit(1);
}

// wrangler dev does not fire Cron Triggers by itself; this stands in for Cloudflare's scheduler.
const cron = setInterval(() => fetch(`${worker.url}/__scheduled?cron=*+*+*+*+*`).catch(() => {}), 60_000);

let agent;
if (process.env.SELFHEAL_LOCAL_AGENT !== "0") agent = await startLocalAgent();
const firstAdmin = await firstAdminLink();

console.log(`
  selfheal is running
  dashboard:   ${worker.url}/
  ${firstAdmin ? `first admin: ${firstAdmin.url}\n               (opens once, until ${firstAdmin.expiresAt}: whoever opens it becomes the org's admin)\n  ` : ""}admin token: ${adminToken} (for scripts and automation)
  API:         curl -H "Authorization: Bearer <token>" ${worker.url}/api/healing/status
  ${agent ? `local agent: config ${agent.configPath}` : "local agent: off (SELFHEAL_LOCAL_AGENT=0)"}
  Ctrl-C stops everything.
`);

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  say("stopping…");
  clearInterval(cron);
  await agent?.stop();
  await worker.stop();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
worker.proc.on("exit", (code) => {
  if (stopping) return;
  console.error(`[selfheal] the Worker exited (${code})`);
  agent?.stop().finally(() => process.exit(1));
});

/**
 * While the default org has no people yet: a single-use invitation link, for the admin role, that
 * makes whoever opens it first the org's first admin. Once someone has, no link is printed.
 */
async function firstAdminLink() {
  const { items } = await stack.api(worker.url, adminToken, "GET", "/api/v1/users");
  if (items.length > 0) return null;
  return stack.api(worker.url, adminToken, "POST", "/api/v1/invitations", {
    role: "admin",
    note: "first admin (npm start)",
    expiresInHours: 24,
  });
}

/** Writes a config for an agent watching this host (kept if it exists, so edits survive) and starts it. */
async function startLocalAgent() {
  const agentDir = path.join(stateDir, "agent");
  const configPath = path.join(stateDir, "agent.json");
  mkdirSync(agentDir, { recursive: true, mode: 0o700 });
  if (!existsSync(configPath)) {
    const { token } = await stack.api(worker.url, adminToken, "POST", "/api/v1/tokens", {
      scope: "enroll",
      name: "local agent (npm start)",
    });
    const config = {
      server: worker.url,
      token,
      name: hostname(),
      stateDir: agentDir,
      services: [],
      actions: { restart_service: true, health_check: true },
    };
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  }
  const handle = stack.startAgent({ configPath, inherit: true });
  return { ...handle, configPath };
}
