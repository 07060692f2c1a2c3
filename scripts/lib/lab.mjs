// A healing lab: the real Worker (wrangler dev, local D1), the real agent, and real HTTP services
// the agent supervises, so tests and benchmarks can kill processes and watch them healed.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  api,
  applyMigrations,
  freePort,
  newSecret,
  startAgent,
  startWorker,
  stopProcess,
  waitFor,
} from "./stack.mjs";

const SERVICE = new URL("./http-service.mjs", import.meta.url).pathname;

/**
 * @typedef {{ name: string, script?: string, env?: Record<string, string>, autostart?: boolean }} ServiceSpec
 * @param {{
 *   services?: number | ServiceSpec[], interval?: number, hostName?: string, log?: (s: string) => void,
 *   actions?: Record<string, unknown>, agentConfig?: Record<string, unknown>,
 *   setup?: (call: (method: string, pathname: string, body?: unknown) => Promise<any>) => Promise<void>,
 *   ready?: (host: any) => boolean, readyTimeoutMs?: number, vars?: Record<string, string>,
 *   agentServer?: (workerUrl: string) => string | Promise<string>,
 * }} opts
 *   `services`: how many plain HTTP services (`web0`, `web1`, ...), or each one's name, script
 *   (started as `node <script> <port> <pidFile>`, http-service.mjs by default) and environment;
 *   `autostart: false` has the lab start the service, not the agent.
 *   `actions`: more agent action policy (e.g. `{ stop_service: true }`) on top of restart + health check.
 *   `agentConfig`: more top-level agent config keys (e.g. `{ backup: { paths: [...] } }`).
 *   `setup`: admin calls made before the agent enrols (e.g. the rules a scenario needs).
 *   `vars`: more Worker environment (e.g. the command signing key).
 *   `agentServer`: the address the agent reports to, given the Worker's (e.g. a relay in front of it).
 *   `ready`: what else the host must report, besides every service up, before the lab is ready.
 */
export async function startLab({
  services = 1,
  interval = 2,
  hostName = "lab-host",
  log = () => {},
  actions = {},
  agentConfig = {},
  setup = async () => {},
  ready = () => true,
  readyTimeoutMs = 60_000,
  vars = {},
  agentServer = (url) => url,
} = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "selfheal-lab-"));
  const adminToken = newSecret();
  const persistTo = path.join(dir, "wrangler");
  await applyMigrations(persistTo);
  const worker = await startWorker({ port: await freePort(), persistTo, adminToken, vars, log });
  const call = (method, pathname, body) => api(worker.url, adminToken, method, pathname, body);
  await call("POST", "/api/healing/config", { monitoring: { interval } });
  await setup(call);
  const { token } = await call("POST", "/api/v1/tokens", { scope: "enroll", name: hostName });

  /** @type {ServiceSpec[]} */
  const specs =
    typeof services === "number"
      ? Array.from({ length: services }, (_, i) => ({ name: `web${i}` }))
      : services;
  const svcs = [];
  for (const { name, script = SERVICE, env, autostart = true } of specs) {
    const port = await freePort();
    const pidFile = path.join(dir, `${name}.pid`);
    svcs.push({
      name,
      port,
      pidFile,
      url: `http://127.0.0.1:${port}/`,
      autostart,
      config: {
        name,
        kind: "process",
        start: [process.execPath, script, String(port), pidFile],
        pidFile,
        check: { http: `http://127.0.0.1:${port}/`, timeoutMs: 1000 },
        ...(env ? { env } : {}),
        ...(autostart ? {} : { autostart }),
      },
    });
  }
  const configPath = path.join(dir, "agent.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      server: await agentServer(worker.url),
      token,
      name: hostName,
      interval,
      stateDir: path.join(dir, "agent"),
      services: svcs.map((s) => s.config),
      actions: { restart_service: true, health_check: true, ...actions },
      ...agentConfig,
    }),
  );
  for (const svc of svcs.filter((s) => !s.autostart)) {
    const [, ...args] = svc.config.start;
    const env = { ...process.env, ...svc.config.env };
    spawn(process.execPath, args, { detached: true, stdio: "ignore", env }).unref();
  }
  const agent = startAgent({ configPath, log });

  const lab = {
    dir,
    persistTo,
    configPath,
    worker,
    agent,
    adminToken,
    services: svcs,
    /** The host's id, known once the lab is ready. */
    hostId: "",
    call,
    /** The pid in a service's pid file (the process the agent started for it). */
    pidOf: (svc) => Number(readFileSync(svc.pidFile, "utf8").trim()),
    async stop() {
      await agent.stop();
      // The services are detached from the agent on purpose (they outlive it): end them here.
      for (const svc of svcs) {
        try {
          process.kill(lab.pidOf(svc), "SIGCONT"); // a paused (SIGSTOPped) service too
          process.kill(lab.pidOf(svc), "SIGKILL");
        } catch {}
      }
      await worker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(
      async () => {
        const status = await call("GET", "/api/healing/status");
        const host = status.hosts.find((h) => h.name === hostName);
        if (host) lab.hostId = host.id;
        return (
          host &&
          ready(host) &&
          host.services.length === svcs.length &&
          host.services.every((s) => s.status === "up")
        );
      },
      { timeoutMs: readyTimeoutMs, intervalMs: 250, what: `agent ${hostName} reporting its services up` },
    );
  } catch (err) {
    const out = `\n--- agent output ---\n${agent.output().slice(-3000)}\n--- worker output ---\n${worker.output().slice(-3000)}`;
    await lab.stop();
    throw new Error(String(err instanceof Error ? err.message : err) + out);
  }
  return lab;
}

/** Polls a URL every intervalMs until it answers 200; resolves with the time it took. */
export async function timeUntilHealthy(url, { intervalMs = 100, timeoutMs = 60_000 } = {}) {
  const start = Date.now();
  await waitFor(
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return res.status === 200;
    },
    { intervalMs, timeoutMs, what: url },
  );
  return Date.now() - start;
}

export { stopProcess, waitFor };
