// The lab for `npm run chaos`: the real Worker (wrangler dev, local D1) and the real agent
// supervising one fixture service per scenario, plus a watched config file and a cache folder.
// Built from scripts/lib/stack.mjs like scripts/lib/lab.mjs, with the rules the scenarios need.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  api,
  applyMigrations,
  freePort,
  newSecret,
  startAgent,
  startWorker,
  waitFor,
} from "../../scripts/lib/stack.mjs";

const SERVICE = new URL("./chaos-service.mjs", import.meta.url).pathname;
export const SERVICES = ["crash", "hung", "cache", "leak", "flap"] as const;
export type ServiceName = (typeof SERVICES)[number];
export const CACHE_MAX_BYTES = 4 * 1024 * 1024;

export interface ChaosLab {
  dir: string;
  cacheDir: string;
  configPath: string;
  hostId: string;
  call: (method: string, pathname: string, body?: unknown) => Promise<any>;
  url: (svc: ServiceName) => string;
  pidOf: (svc: ServiceName) => number;
  stop: () => Promise<void>;
}

/** The scenarios' rules: service_down is replaced by per-service rules so each has its remedy. */
function rules() {
  const restart = (service: string) => ({
    id: `${service}_down`,
    kind: "service",
    service,
    severity: "high",
    actions: ["restart_service"],
  });
  return [
    ...["crash", "hung", "leak", "flap"].map(restart),
    { id: "cache_full", kind: "service", service: "cache", severity: "high", actions: ["clear_cache"] },
    {
      id: "config_drift",
      kind: "threshold",
      metric: "config:*.drift",
      op: "above",
      threshold: 0.5,
      severity: "high",
      actions: ["reset_config"],
    },
    // A level, not the growth kind: a growth rule's trend spans its whole window, so it clears
    // long after the restart (see the report).
    {
      id: "rss_high",
      kind: "threshold",
      metric: "svc:*.rss",
      op: "above",
      threshold: 250e6,
      clearThreshold: 150e6,
      severity: "high",
      actions: ["restart_service"],
    },
  ];
}

export async function startChaosLab({ interval = 2 } = {}): Promise<ChaosLab> {
  const log = () => {};
  const dir = mkdtempSync(path.join(tmpdir(), "selfheal-chaos-"));
  const adminToken = newSecret();
  const persistTo = path.join(dir, "wrangler");
  await applyMigrations(persistTo);
  const worker = await startWorker({ port: await freePort(), persistTo, adminToken, log });
  const call = (method: string, pathname: string, body?: unknown) =>
    api(worker.url, adminToken, method, pathname, body);
  await call("POST", "/api/healing/config", { monitoring: { interval } });
  await call("POST", "/api/v1/rules/service_down/disable");
  for (const rule of rules()) await call("POST", "/api/v1/rules", rule);
  const { token } = await call("POST", "/api/v1/tokens", { scope: "enroll", name: "chaos" });

  const cacheDir = path.join(dir, "cache");
  mkdirSync(cacheDir);
  const configPath = path.join(dir, "app.json");
  writeFileSync(configPath, JSON.stringify({ listen: 8080, workers: 4 }, null, 2));
  const ports = new Map<ServiceName, number>();
  const services = [];
  for (const name of SERVICES) {
    const port = await freePort();
    ports.set(name, port);
    const pidFile = path.join(dir, `${name}.pid`);
    services.push({
      name,
      kind: "process",
      start: [process.execPath, SERVICE, String(port), pidFile],
      pidFile,
      check: { http: `http://127.0.0.1:${port}/`, timeoutMs: 1000 },
      ...(name === "cache" ? { env: { CACHE_DIR: cacheDir, CACHE_MAX_BYTES: String(CACHE_MAX_BYTES) } } : {}),
    });
  }
  const agentConfig = path.join(dir, "agent.json");
  writeFileSync(
    agentConfig,
    JSON.stringify({
      server: worker.url,
      token,
      name: "chaos-host",
      interval,
      stateDir: path.join(dir, "agent"),
      services,
      caches: [{ name: "cache", path: cacheDir }],
      configs: [{ name: "app", path: configPath }],
      actions: { restart_service: true, clear_cache: true, reset_config: true, health_check: true },
    }),
  );
  const agent = startAgent({ configPath: agentConfig, log });
  const pidOf = (svc: ServiceName) => Number(readFileSync(path.join(dir, `${svc}.pid`), "utf8").trim());
  const lab: ChaosLab = {
    dir,
    cacheDir,
    configPath,
    hostId: "",
    call,
    url: (svc) => `http://127.0.0.1:${ports.get(svc)}/`,
    pidOf,
    async stop() {
      await agent.stop();
      for (const svc of SERVICES) {
        try {
          process.kill(pidOf(svc), "SIGCONT");
          process.kill(pidOf(svc), "SIGKILL");
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
        const host = status.hosts.find((h: any) => h.name === "chaos-host");
        if (host) lab.hostId = host.id;
        const ready = host?.metrics?.["config:app.drift"] === 0;
        return (
          ready &&
          host.services.length === SERVICES.length &&
          host.services.every((s: any) => s.status === "up")
        );
      },
      {
        timeoutMs: 90_000,
        intervalMs: 250,
        what: "the agent reporting every service up and the config snapshot",
      },
    );
  } catch (err) {
    const out = `\n--- agent ---\n${agent.output().slice(-3000)}\n--- worker ---\n${worker.output().slice(-2000)}`;
    await lab.stop();
    throw new Error((err as Error).message + out);
  }
  return lab;
}
