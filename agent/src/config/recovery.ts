/**
 * The recovery sections of the local config: caches, configs, backup, lockdown, scripts and
 * autonomy. Kept apart from schema.ts so the core stays small; every path and argv an action may
 * touch is named here, and the server can only pick one by name.
 */
import os from "node:os";
import path from "node:path";
import * as z from "zod/mini";
import { entityName } from "../../protocol";
import type { ActionName } from "../actions/names";

const name = entityName.check(z.maxLength(64));
const argv = z
  .array(z.string().check(z.minLength(1)))
  .check(z.minLength(1, "needs at least the program to run"));
const filePath = z.string().check(z.minLength(1));
const int = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));
const timeout = (def: number, max: number) => z._default(int(100, max), def);

const cacheSchema = z.strictObject({
  name,
  path: filePath,
  maxAgeSeconds: z.optional(z.number().check(z.int(), z.gte(1))),
});

const configFileSchema = z.strictObject({
  // short enough for the metric config:<name>.drift (64 characters at most)
  name: name.check(z.maxLength(48)),
  path: filePath,
  /** argv; an element "{path}" is replaced by the file's path. */
  validate: z.optional(argv),
  format: z.optional(z.enum(["json", "yaml"])),
  timeoutMs: timeout(30_000, 300_000),
});

const backupSchema = z.strictObject({
  paths: z.array(filePath).check(z.minLength(1, "list at least one path to back up")),
  keep: z._default(int(1, 100), 5),
  timeoutMs: timeout(120_000, 600_000),
});

const lockdownSchema = z.strictObject({ lock: argv, unlock: argv, timeoutMs: timeout(60_000, 300_000) });

const scriptSchema = z.strictObject({
  command: argv,
  timeoutMs: timeout(60_000, 600_000),
  cwd: z.optional(filePath),
  env: z.optional(z.record(z.string(), z.string())),
});

const autonomySchema = z.strictObject({
  afterSeconds: z._default(int(1, 86_400), 120),
  maxRestarts: z._default(int(1, 100), 3),
  windowSeconds: z._default(int(1, 86_400), 600),
});

/** Spread into the config object schema. */
export const recoveryShape = {
  caches: z._default(z.array(cacheSchema).check(z.maxLength(32)), []),
  configs: z._default(z.array(configFileSchema).check(z.maxLength(16)), []),
  backup: z.optional(backupSchema),
  lockdown: z.optional(lockdownSchema),
  scripts: z
    ._default(z.record(name, scriptSchema), {})
    .check(z.refine((s) => Object.keys(s).length <= 64, "at most 64 scripts")),
  autonomy: z.optional(autonomySchema),
};

export type CacheConfig = z.infer<typeof cacheSchema>;
export type ConfigFileConfig = z.infer<typeof configFileSchema>;
export type BackupConfig = z.infer<typeof backupSchema>;
export type LockdownConfig = z.infer<typeof lockdownSchema>;
export type ScriptConfig = z.infer<typeof scriptSchema>;
export type AutonomyConfig = z.infer<typeof autonomySchema>;

export interface RecoveryConfig {
  caches: CacheConfig[];
  configs: ConfigFileConfig[];
  backup?: BackupConfig;
  lockdown?: LockdownConfig;
  scripts: Record<string, ScriptConfig>;
  /** Off when absent. */
  autonomy?: AutonomyConfig;
}

/** Actions that act on services and may be limited to some with {"services": [...]}. */
export const SERVICE_ACTIONS: readonly ActionName[] = ["restart_service", "force_restart", "stop_service"];

/** Actions that are useless without a config section: enabling one without it is a config error. */
const NEEDS: Partial<Record<ActionName, { section: keyof RecoveryConfig; what: string }>> = {
  clear_cache: { section: "caches", what: '"caches"' },
  reset_config: { section: "configs", what: '"configs"' },
  validate_config: { section: "configs", what: '"configs"' },
  bless_config: { section: "configs", what: '"configs"' },
  emergency_backup: { section: "backup", what: '"backup"' },
  lockdown: { section: "lockdown", what: '"lockdown"' },
  unlock: { section: "lockdown", what: '"lockdown"' },
  run_script: { section: "scripts", what: '"scripts"' },
};

const present = (v: unknown) =>
  Array.isArray(v) ? v.length > 0 : v && typeof v === "object" ? Object.keys(v).length > 0 : false;

/** Cross-field checks, called from the config schema's superRefine. */
export function checkRecovery(
  cfg: RecoveryConfig & { actions: Record<string, unknown>; services: { name: string }[] },
  ctx: z.core.$RefinementCtx,
): void {
  const services = new Set(cfg.services.map((s) => s.name));
  for (const action of SERVICE_ACTIONS) {
    const value = cfg.actions[action] as { services?: string[] } | undefined;
    value?.services?.forEach((svc, i) => {
      if (!services.has(svc))
        ctx.addIssue({
          code: "custom",
          path: ["actions", action, "services", i],
          message: `"${svc}" is not a configured service`,
        });
    });
  }
  for (const [action, need] of Object.entries(NEEDS)) {
    if (cfg.actions[action] && need && !present(cfg[need.section]))
      ctx.addIssue({
        code: "custom",
        path: ["actions", action],
        message: `${action} needs ${need.what} in the config`,
      });
  }
  for (const [section, list] of [
    ["caches", cfg.caches],
    ["configs", cfg.configs],
  ] as const) {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (seen.has(item.name))
        ctx.addIssue({
          code: "custom",
          path: [section, i, "name"],
          message: `duplicate name "${item.name}"`,
        });
      seen.add(item.name);
    });
  }
  cfg.configs.forEach((c, i) => {
    if (!c.validate && !c.format && !formatOf(c.path))
      ctx.addIssue({
        code: "custom",
        path: ["configs", i],
        message: 'say how to validate it: "validate" (argv) or "format" ("json" or "yaml")',
      });
  });
}

/** The format implied by a file's extension, when there is one. */
export function formatOf(file: string): "json" | "yaml" | undefined {
  const ext = path.extname(file).toLowerCase();
  return ext === ".json" ? "json" : ext === ".yaml" || ext === ".yml" ? "yaml" : undefined;
}

const expandHome = (p: string) => (p === "~" || p.startsWith("~/") ? path.join(os.homedir(), p.slice(1)) : p);

/** Resolves relative paths against the config file's folder; throws on a cache path that is "/" or home. */
export function resolveRecovery(cfg: RecoveryConfig, base: string): RecoveryConfig {
  const abs = (p: string) => path.resolve(base, expandHome(p));
  return {
    caches: cfg.caches.map((c) => ({ ...c, path: abs(c.path) })),
    configs: cfg.configs.map((c) => ({ ...c, path: abs(c.path) })),
    backup: cfg.backup && { ...cfg.backup, paths: cfg.backup.paths.map(abs) },
    lockdown: cfg.lockdown,
    scripts: Object.fromEntries(
      Object.entries(cfg.scripts).map(([k, s]) => [k, { ...s, cwd: s.cwd ? abs(s.cwd) : undefined }]),
    ),
    autonomy: cfg.autonomy,
  };
}

/** Cache folders that would be a disaster to empty. */
export function unsafeCachePath(p: string): string | undefined {
  const resolved = path.resolve(p);
  if (resolved === path.parse(resolved).root) return "is the filesystem root";
  if (resolved === os.homedir()) return "is the home directory";
  return undefined;
}
