/**
 * Scope: the org's thresholds and rules, then its host group's, then the host's own; the most
 * specific level that sets a value wins (as Zabbix templates under host settings). Pure.
 * The layers fold into the shapes the engine already takes: a config whose thresholds are the
 * host's, and stored rule rows whose definitions carry the group's and host's patches, so the
 * report pipeline and every other reader resolve a host's rules the one way (services/rules/effective.ts).
 */
import { defaultRules } from "../../../../agent/engine";
import type { AlertThresholds } from "../../../../agent/protocol";
import type { ScopeKind } from "../../../db/schema";
import type { HealingConfig } from "../../../schemas/config";
import type { ScopedRulePatch, ScopeLevel } from "../../../schemas/scope";
import type { StoredRule } from "../../rules/effective";

export interface ScopeLayer {
  kind: ScopeKind;
  key: string;
  thresholds: Partial<AlertThresholds>;
  rules: Record<string, ScopedRulePatch>;
}

/** Group first, then host: later layers win. */
const ordered = (layers: ScopeLayer[]) =>
  [...layers].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "group" ? -1 : 1));

export function scopedConfig(config: HealingConfig, layers: ScopeLayer[]): HealingConfig {
  if (layers.length === 0) return config;
  let thresholds = config.monitoring.alert_thresholds;
  for (const layer of ordered(layers)) thresholds = { ...thresholds, ...layer.thresholds };
  return { ...config, monitoring: { ...config.monitoring, alert_thresholds: thresholds } };
}

/** The org's stored rules with the layers' patches over them (`config`: the host's, scopedConfig). */
export function scopedRules(config: HealingConfig, stored: StoredRule[], layers: ScopeLayer[]): StoredRule[] {
  if (layers.every((l) => Object.keys(l.rules).length === 0)) return stored;
  const builtinEnabled = new Map(
    defaultRules(config.monitoring.alert_thresholds, { diagnostics: true }).map((r) => [
      r.id,
      r.enabled !== false,
    ]),
  );
  const byId = new Map(stored.map((s) => [s.ruleId, { ...s, definition: { ...s.definition } }]));
  for (const layer of ordered(layers)) {
    for (const [ruleId, patch] of Object.entries(layer.rules)) {
      const current = byId.get(ruleId) ?? {
        ruleId,
        definition: {},
        enabled: builtinEnabled.get(ruleId) ?? true,
      };
      const { enabled, ...fields } = patch;
      byId.set(ruleId, {
        ruleId,
        definition: { ...current.definition, ...fields },
        enabled: enabled ?? current.enabled,
      });
    }
  }
  return [...byId.values()];
}

const THRESHOLD_KEYS: Record<keyof AlertThresholds, true> = {
  cpu_warning: true,
  cpu_critical: true,
  memory_warning: true,
  memory_critical: true,
  disk_warning: true,
  disk_critical: true,
};

/** Which level set each threshold: the host's, its group's, the org's own, or the default. */
export function thresholdLevels(
  orgExplicit: Partial<AlertThresholds> | undefined,
  layers: ScopeLayer[],
): Record<keyof AlertThresholds, ScopeLevel> {
  const keys = Object.keys(THRESHOLD_KEYS) as (keyof AlertThresholds)[];
  const out = {} as Record<keyof AlertThresholds, ScopeLevel>;
  for (const key of keys) {
    let level: ScopeLevel = orgExplicit?.[key] !== undefined ? "org" : "default";
    for (const layer of ordered(layers)) if (layer.thresholds[key] !== undefined) level = layer.kind;
    out[key] = level;
  }
  return out;
}

/** Which level set each patched field of one rule (fields no layer patched are absent). */
export function ruleFieldLevels(ruleId: string, layers: ScopeLayer[]): Record<string, ScopeLevel> {
  const out: Record<string, ScopeLevel> = {};
  for (const layer of ordered(layers))
    for (const field of Object.keys(layer.rules[ruleId] ?? {})) out[field] = layer.kind;
  return out;
}
