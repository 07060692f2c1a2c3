/**
 * The agent's local configuration (JSON), validated once at start. It is the only source of
 * anything the agent executes: the server names actions and targets, never commands.
 */
import os from "node:os";
import path from "node:path";
import * as z from "zod/mini";
import { entityName, serviceKinds } from "../../protocol";
import { ACTION_NAMES, type ActionName, isActionName } from "../actions/names";
import { platformProblems } from "../platform";
import { type ChecksConfig, checkChecks, checkServiceKind, checksShape, serviceKindShape } from "./checks";
import { type DeliveryConfig, deliveryShape } from "./delivery";
import {
  checkRecovery,
  type RecoveryConfig,
  recoveryShape,
  resolveRecovery,
  SERVICE_ACTIONS,
  unsafeCachePath,
} from "./recovery";
import { type TlsEndpoint, tlsShape } from "./tls";

const serviceName = entityName;
const argv = z
  .array(z.string().check(z.minLength(1)))
  .check(z.minLength(1, "needs at least the program to run"));
const timeoutMs = z._default(z.number().check(z.int(), z.gte(50), z.lte(60_000)), 3000);
const nonEmpty = () => z.string().check(z.minLength(1));

/** `probe`: also run the check on the fast probe cadence (probeInterval), not only with each report. */
const checkProbe = z.optional(z.boolean());
const checkSchema = z.union([
  z.strictObject({ http: z.url({ protocol: /^https?$/ }), timeoutMs, probe: checkProbe }),
  z.strictObject({
    tcp: z.string().check(z.regex(/^\[?[^\s\]]+\]?:\d{1,5}$/, "expected host:port")),
    timeoutMs,
    probe: checkProbe,
  }),
]);

const serviceSchema = z
  .strictObject({
    name: serviceName,
    kind: z.enum(serviceKinds),
    start: z.optional(argv),
    stop: z.optional(argv),
    pidFile: z.optional(nonEmpty()),
    match: z.optional(
      nonEmpty().check(
        z.refine((re) => {
          try {
            new RegExp(re);
            return true;
          } catch {
            return false;
          }
        }, "not a valid regular expression"),
      ),
    ),
    unit: z.optional(nonEmpty()),
    container: z.optional(nonEmpty()),
    cwd: z.optional(nonEmpty()),
    env: z.optional(z.record(z.string(), z.string())),
    /** Start it when the agent starts if it is not running; defaults to true when `start` is given. */
    autostart: z.optional(z.boolean()),
    check: z.optional(checkSchema),
    ...serviceKindShape,
  })
  .check(
    z.superRefine((svc, ctx) => {
      checkServiceKind(svc, ctx);
      if (svc.kind === "process" && !svc.pidFile && !svc.match && !svc.start)
        ctx.addIssue({ code: "custom", message: "a process service needs pidFile, match or start" });
      if (svc.kind !== "process")
        for (const key of ["start", "stop", "pidFile", "match", "cwd", "env", "autostart"] as const)
          if (svc[key] !== undefined)
            ctx.addIssue({ code: "custom", path: [key], message: `only process services take ${key}` });
      if (svc.autostart && !svc.start)
        ctx.addIssue({ code: "custom", path: ["autostart"], message: "autostart needs start" });
    }),
  );

const serviceListSchema = z.strictObject({ services: z.array(z.string()) });
const actionsSchema = z._default(z.record(z.string(), z.unknown()), {}).check(
  z.superRefine((actions, ctx) => {
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
          serviceListSchema.safeParse(value).success);
      if (!ok)
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: SERVICE_ACTIONS.includes(key)
            ? 'expected true, false or {"services": [names]}'
            : "expected true or false",
        });
    }
  }),
);

export const configSchema = z
  .strictObject({
    /** Where an editor finds the JSON Schema of this file (dist/config.schema.json); not read by the agent. */
    $schema: z.optional(z.string()),
    server: z.optional(z.url({ protocol: /^https?$/ })),
    token: z.optional(nonEmpty()),
    name: z.optional(serviceName),
    /** The host group asked for at enrolment (a group-limited enroll token requires one of its groups). */
    group: z.optional(nonEmpty().check(z.maxLength(128))),
    interval: z._default(z.number().check(z.int(), z.gte(1), z.lte(3600)), 30),
    /** Seconds between cheap liveness probes of the services (0: off); see services/liveness.ts. */
    probeInterval: z._default(
      z.number().check(
        z.lte(60),
        z.refine((s) => s === 0 || s >= 0.1, "0 (off) or at least 0.1"),
      ),
      1,
    ),
    stateDir: z.optional(nonEmpty()),
    /** Where the metric collectors read /proc: the host's /proc mounted into a container (Dockerfile). */
    procRoot: z.optional(nonEmpty()),
    services: z._default(z.array(serviceSchema).check(z.maxLength(200)), []),
    actions: actionsSchema,
    ...recoveryShape,
    ...tlsShape,
    ...checksShape,
    ...deliveryShape,
  })
  .check(
    z.superRefine((cfg, ctx) => {
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
    }),
  );

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
