// The lab for `npm run chaos`: scripts/lib/lab.mjs's lab (the real Worker on local D1 and the real
// agent) supervising one fixture service per scenario, plus a watched config file and a cache
// folder, with the rules the scenarios need.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startLab } from "../../scripts/lib/lab.mjs";

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
  // The app's own files, beside the lab's: the cache the agent clears and the config it watches.
  const dir = mkdtempSync(path.join(tmpdir(), "selfheal-chaos-"));
  const cacheDir = path.join(dir, "cache");
  mkdirSync(cacheDir);
  const configPath = path.join(dir, "app.json");
  writeFileSync(configPath, JSON.stringify({ listen: 8080, workers: 4 }, null, 2));
  const cacheEnv = { CACHE_DIR: cacheDir, CACHE_MAX_BYTES: String(CACHE_MAX_BYTES) };
  try {
    const lab = await startLab({
      hostName: "chaos-host",
      interval,
      services: SERVICES.map((name) => ({
        name,
        script: SERVICE,
        ...(name === "cache" ? { env: cacheEnv } : {}),
      })),
      actions: { clear_cache: true, reset_config: true },
      agentConfig: {
        caches: [{ name: "cache", path: cacheDir }],
        configs: [{ name: "app", path: configPath }],
      },
      setup: async (call) => {
        await call("POST", "/api/v1/rules/service_down/disable");
        for (const rule of rules()) await call("POST", "/api/v1/rules", rule);
      },
      // the config snapshot taken too, so drift is measured from it
      ready: (host) => host.metrics?.["config:app.drift"] === 0,
      readyTimeoutMs: 90_000,
    });
    const byName = (svc: ServiceName) => lab.services.find((s) => s.name === svc) as (typeof lab.services)[0];
    return {
      dir,
      cacheDir,
      configPath,
      hostId: lab.hostId,
      call: lab.call,
      url: (svc) => byName(svc).url,
      pidOf: (svc) => lab.pidOf(byName(svc)),
      async stop() {
        await lab.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
