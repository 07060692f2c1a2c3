/**
 * The agent's local configuration (JSON), validated once at start. It is the only source of
 * anything the agent executes: the server names actions and targets, never commands.
 */
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { entityName, serviceKinds } from "../protocol";
import { ACTION_NAMES, type ActionName, isActionName } from "./actions/names";
import {
  type ChecksConfig,
  checkChecks,
  checkServiceKind,
  checksShape,
  serviceKindShape,
} from "./config-checks";
import { type DeliveryConfig, deliveryShape } from "./config-delivery";
import {
  checkRecovery,
  type RecoveryConfig,
  recoveryShape,
  resolveRecovery,
  SERVICE_ACTIONS,
  unsafeCachePath,
} from "./config-recovery";
import { type TlsEndpoint, tlsShape } from "./config-tls";
import { platformProblems } from "./platform";

const serviceName = entityName;
const argv = z.array(z.string().min(1)).min(1, "needs at least the program to run");
const timeoutMs = z.number().int().min(50).max(60_000).default(3000);

/** `probe`: also run the check on the fast probe cadence (probeInterval), not only with each report. */
const checkProbe = z.boolean().optional();
const checkSchema = z.union([
  z.object({ http: z.url({ protocol: /^https?$/ }), timeoutMs, probe: checkProbe }).strict(),
  z
    .object({
      tcp: z.string().regex(/^\[?[^\s\]]+\]?:\d{1,5}$/, "expected host:port"),
      timeoutMs,
      probe: checkProbe,
    })
    .strict(),
]);

const serviceSchema = z
  .object({
    name: serviceName,
    kind: z.enum(serviceKinds),
    start: argv.optional(),
    stop: argv.optional(),
    pidFile: z.string().min(1).optional(),
    match: z
      .string()
      .min(1)
      .refine((re) => {
        try {
          new RegExp(re);
          return true;
        } catch {
          return false;
        }
      }, "not a valid regular expression")
      .optional(),
    unit: z.string().min(1).optional(),
    container: z.string().min(1).optional(),
    cwd: z.string().min(1).optional(),
    env: z.record(z.string(), z.string()).optional(),
    /** Start it when the agent starts if it is not running; defaults to true when `start` is given. */
    autostart: z.boolean().optional(),
    check: checkSchema.optional(),
    ...serviceKindShape,
  })
  .strict()
  .superRefine((svc, ctx) => {
    checkServiceKind(svc, ctx);
    if (svc.kind === "process" && !svc.pidFile && !svc.match && !svc.start)
      ctx.addIssue({ code: "custom", message: "a process service needs pidFile, match or start" });
    if (svc.kind !== "process")
      for (const key of ["start", "stop", "pidFile", "match", "cwd", "env", "autostart"] as const)
        if (svc[key] !== undefined)
          ctx.addIssue({ code: "custom", path: [key], message: `only process services take ${key}` });
    if (svc.autostart && !svc.start)
      ctx.addIssue({ code: "custom", path: ["autostart"], message: "autostart needs start" });
  });

const actionsSchema = z
  .record(z.string(), z.unknown())
  .default({})
  .superRefine((actions, ctx) => {
    for (const [key, value] of Object.entries(actions)) {
      if (!isActionName(key)) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `unknown action "${key}" (this agent knows ${ACTION_NAMES.join(", ")})`,
        });
        continue;
      }
      const ok =
        typeof value === "boolean" ||
        (SERVICE_ACTIONS.includes(key) &&
          value !== null &&
          typeof value === "object" &&
          z
            .object({ services: z.array(z.string()) })
            .strict()
            .safeParse(value).success);
      if (!ok)
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: SERVICE_ACTIONS.includes(key)
            ? 'expected true, false or {"services": [names]}'
            : "expected true or false",
        });
    }
  });

export const configSchema = z
  .object({
    /** Where an editor finds the JSON Schema of this file (dist/config.schema.json); not read by the agent. */
    $schema: z.string().optional(),
    server: z.url({ protocol: /^https?$/ }).optional(),
    token: z.string().min(1).optional(),
    name: serviceName.optional(),
    /** The host group asked for at enrolment (a group-limited enroll token requires one of its groups). */
    group: z.string().min(1).max(128).optional(),
    interval: z.number().int().min(1).max(3600).default(30),
    /** Seconds between cheap liveness probes of the services (0: off); see services/liveness.ts. */
    probeInterval: z
      .number()
      .max(60)
      .refine((s) => s === 0 || s >= 0.1, "0 (off) or at least 0.1")
      .default(1),
    stateDir: z.string().min(1).optional(),
    /** Where the metric collectors read /proc: the host's /proc mounted into a container (Dockerfile). */
    procRoot: z.string().min(1).optional(),
    services: z.array(serviceSchema).max(200).default([]),
    actions: actionsSchema,
    ...recoveryShape,
    ...tlsShape,
    ...checksShape,
    ...deliveryShape,
  })
  .strict()
  .superRefine((cfg, ctx) => {
    checkChecks(cfg, ctx);
    const seen = new Set<string>();
    cfg.services.forEach((svc, i) => {
      if (seen.has(svc.name))
        ctx.addIssue({
          code: "custom",
          path: ["services", i, "name"],
          message: `duplicate service "${svc.name}"`,
        });
      seen.add(svc.name);
    });
    checkRecovery(cfg, ctx);
  });

export type RawConfig = z.infer<typeof configSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type CheckConfig = z.infer<typeof checkSchema>;

/** Which actions the config enables; a list limits a service action to those services. */
export type ActionPolicy = Partial<Record<ActionName, { services?: string[] }>>;

export interface AgentConfig extends RecoveryConfig, ChecksConfig, DeliveryConfig {
  server?: string;
  token?: string;
  name: string;
  group?: string;
  intervalSeconds: number;
  /** Seconds between liveness probes; 0 turns them off. */
  probeIntervalSeconds: number;
  stateDir: string;
  /** Absolute; unset reads /proc. */
  procRoot?: string;
  services: ServiceConfig[];
  actions: ActionPolicy;
  /** Endpoints whose certificate expiry is reported (tls:<name>.days). */
  tls?: TlsEndpoint[];
  /** The file it came from, for messages. */
  source?: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const pathOf = (p: readonly PropertyKey[]) =>
  p.reduce<string>(
    (acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
    "",
  );

function expandHome(p: string): string {
  return p === "~" || p.startsWith("~/") ? path.join(os.homedir(), p.slice(1)) : p;
}

/** health_check only reads and reports, so it is on unless turned off; everything else is off unless turned on. */
function toPolicy(actions: Record<string, unknown>): ActionPolicy {
  const policy: ActionPolicy = {};
  for (const name of ACTION_NAMES) {
    const value = actions[name] ?? name === "health_check";
    if (value === true) policy[name] = {};
    else if (value && typeof value === "object")
      policy[name] = { services: (value as { services: string[] }).services };
  }
  return policy;
}

export function parseConfig(
  input: unknown,
  source?: string,
  platform: NodeJS.Platform = process.platform,
): AgentConfig {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${pathOf(i.path) || "(top level)"}: ${i.message}`);
    throw new ConfigError(`invalid config${source ? ` ${source}` : ""}:\n${lines.join("\n")}`);
  }
  const cfg = parsed.data;
  const problems = platformProblems(cfg.services, platform);
  if (problems.length)
    throw new ConfigError(`invalid config${source ? ` ${source}` : ""}:\n  ${problems.join("\n  ")}`);
  const base = source ? path.dirname(path.resolve(source)) : process.cwd();
  const recovery = resolveRecovery(cfg, base);
  recovery.caches.forEach((c, i) => {
    const why = unsafeCachePath(c.path);
    if (why)
      throw new ConfigError(
        `invalid config${source ? ` ${source}` : ""}:\n  caches[${i}].path: ${c.path} ${why}`,
      );
  });
  return {
    ...recovery,
    server: cfg.server?.replace(/\/+$/, ""),
    token: cfg.token,
    name: cfg.name ?? defaultName(),
    group: cfg.group,
    intervalSeconds: cfg.interval,
    probeIntervalSeconds: cfg.probeInterval,
    stateDir: path.resolve(base, expandHome(cfg.stateDir ?? "~/.selfheal-agent")),
    procRoot: cfg.procRoot ? path.resolve(base, expandHome(cfg.procRoot)) : undefined,
    services: cfg.services.map((s) => ({
      ...s,
      autostart: s.kind === "process" ? (s.autostart ?? s.start !== undefined) : undefined,
      cwd: s.cwd ? path.resolve(base, expandHome(s.cwd)) : undefined,
      pidFile: s.pidFile ? path.resolve(base, expandHome(s.pidFile)) : undefined,
    })),
    actions: toPolicy(cfg.actions),
    tls: cfg.tls,
    spoolMaxBytes: cfg.spoolMaxBytes,
    commandSigningKey: cfg.commandSigningKey,
    checks: cfg.checks,
    logs: cfg.logs.map((l) => ({ ...l, path: path.resolve(base, expandHome(l.path)) })),
    source,
  };
}

/** The hostname, made to fit the protocol's name rule. */
function defaultName(): string {
  const cleaned = os
    .hostname()
    .replace(/[^A-Za-z0-9._:@-]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 128);
  return cleaned || "host";
}
