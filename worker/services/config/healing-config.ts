/**
 * The per-org healing configuration: stored as the org's explicit settings (a partial document),
 * resolved over the seed's defaults and its profile's preset (profiles.ts).
 */
import { eq } from "drizzle-orm";
import { DEFAULT_THRESHOLDS, type Rule } from "../../../agent/engine";
import type { AgentSettings } from "../../../agent/protocol";
import { type Db, runBatch } from "../../db/client";
import { settings } from "../../db/schema";
import { validationError } from "../../lib/openapi";
import { type HealingConfig, type HealingConfigPatch, healingConfigSchema } from "../../schemas/config";
import { unattendedActions } from "../recovery/safeguards";
import { audit } from "../tenancy/audit";
import { presetOf } from "./profiles";

export const DEFAULT_CONFIG: HealingConfig = {
  enabled: true,
  monitoring: { interval: 30, enable_ai_diagnostics: true, alert_thresholds: { ...DEFAULT_THRESHOLDS } },
  recovery: { max_attempts: 3, auto_recovery: true, require_confirmation: false, emergency_shutdown: true },
};

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

function deepMerge(base: Plain, patch: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    out[key] = isPlain(value) && isPlain(base[key]) ? deepMerge(base[key] as Plain, value) : value;
  }
  return out;
}

/** Folds the seed's aliases into their canonical places. */
function canonical(patch: HealingConfigPatch): Plain {
  const { alert_thresholds, monitoring_interval, ...rest } = patch;
  let out: Plain = rest;
  if (alert_thresholds) out = deepMerge(out, { monitoring: { alert_thresholds } });
  if (monitoring_interval !== undefined)
    out = deepMerge(out, { monitoring: { interval: monitoring_interval } });
  return out;
}

/** The effective document; a stored document that no longer validates falls back to the defaults. */
export function resolveConfig(stored: Partial<HealingConfig> | null | undefined): HealingConfig {
  const parsed = healingConfigSchema.safeParse(effective((stored ?? {}) as Plain));
  return parsed.success ? parsed.data : DEFAULT_CONFIG;
}

/** defaults ⊕ the profile's preset ⊕ the explicit settings. */
function effective(explicit: Plain): Plain {
  const profile = typeof explicit.profile === "string" ? explicit.profile : undefined;
  const preset = presetOf(profile as HealingConfig["profile"]) as Plain;
  return deepMerge(deepMerge(DEFAULT_CONFIG as unknown as Plain, preset ?? {}), explicit);
}

export function configQuery(db: Db, orgId: string) {
  return db.select({ config: settings.config }).from(settings).where(eq(settings.orgId, orgId));
}

export async function getConfig(db: Db, orgId: string): Promise<HealingConfig> {
  const [row] = await configQuery(db, orgId);
  return resolveConfig(row?.config);
}

/** Only the keys the patch names become explicit; the rest keeps following the profile. */
export async function updateConfig(db: Db, orgId: string, patch: HealingConfigPatch): Promise<HealingConfig> {
  const [row] = await configQuery(db, orgId);
  const explicit = deepMerge((row?.config ?? {}) as Plain, canonical(patch));
  const parsed = healingConfigSchema.safeParse(effective(explicit));
  if (!parsed.success) throw validationError(parsed.error, "configuration");
  const now = Date.now();
  const config = explicit as unknown as HealingConfig;
  await runBatch(db, [
    db
      .insert(settings)
      .values({ orgId, config, updatedAt: now })
      .onConflictDoUpdate({ target: settings.orgId, set: { config, updatedAt: now } }),
    audit(db, orgId, "config.update", null, `changed ${Object.keys(patch).join(", ") || "nothing"}`),
  ]);
  return parsed.data;
}

/** What the agent is told with every report's answer (`rules`: the host's, for its local autonomy). */
export function agentSettings(config: HealingConfig, rules: Rule[]): AgentSettings {
  return {
    enabled: config.enabled,
    intervalSeconds: config.monitoring.interval,
    thresholds: config.monitoring.alert_thresholds,
    unattended: unattendedActions(config, rules),
  };
}
