/**
 * Rules in force for an org: the built-ins derived from its thresholds, with any overrides
 * applied, plus its custom rules.
 *
 * A row in `rules` whose rule id is a built-in id is an override, not a rule of its own: its
 * definition is a patch over the derived built-in (so a changed threshold in the config still
 * reaches the fields the override leaves alone), and its `enabled` column can switch the
 * built-in off. Deleting the row restores the built-in.
 */
import { defaultRules, type Rule } from "../../../agent/engine";
import type { HealingConfig } from "../../schemas/config";
import { ruleSchema } from "../../schemas/rules";
import { conditionOf } from "../issues/explain";

export interface StoredRule {
  ruleId: string;
  definition: Partial<Rule>;
  enabled: boolean;
}

/** The row key: rule ids are unique per org, and the primary key enforces it. */
export const rowId = (orgId: string, ruleId: string) => `${orgId}:${ruleId}`;
// Rule ids never hold ":", so the last one separates them from the org id.
export const ruleIdOf = (rowKey: string) => rowKey.slice(rowKey.lastIndexOf(":") + 1);

/** A stored definition that no longer parses is skipped rather than failing every report. */
function valid(definition: unknown): Rule | null {
  const parsed = ruleSchema.safeParse(definition);
  if (!parsed.success) return null;
  const { overridden: _o, condition: _c, ...rule } = parsed.data;
  return { ...rule, name: rule.name ?? rule.id };
}

export interface EffectiveRule {
  rule: Rule;
  builtin: boolean;
  overridden: boolean;
}

export function effectiveRules(config: HealingConfig, stored: StoredRule[]): EffectiveRule[] {
  const byId = new Map(stored.map((s) => [s.ruleId, s]));
  const builtins = defaultRules(config.monitoring.alert_thresholds, {
    diagnostics: config.monitoring.enable_ai_diagnostics,
  }).map((base): EffectiveRule => {
    const override = byId.get(base.id);
    if (!override) return { rule: base, builtin: true, overridden: false };
    const merged = valid({ ...base, ...override.definition, id: base.id, builtin: true });
    const rule = { ...(merged ?? base), enabled: override.enabled, builtin: true };
    return { rule, builtin: true, overridden: true };
  });
  const taken = new Set(builtins.map((b) => b.rule.id));
  const custom = stored.flatMap((s): EffectiveRule[] => {
    if (taken.has(s.ruleId)) return [];
    const rule = valid({ ...s.definition, id: s.ruleId });
    return rule
      ? [{ rule: { ...rule, enabled: s.enabled, builtin: false }, builtin: false, overridden: false }]
      : [];
  });
  return [...builtins, ...custom];
}

/** The rules the engine evaluates (disabled ones included: the engine clears their issues). */
export function rulesFor(config: HealingConfig, stored: StoredRule[]): Rule[] {
  return effectiveRules(config, stored).map((e) => e.rule);
}

export function ruleView(e: EffectiveRule) {
  return { ...e.rule, builtin: e.builtin, overridden: e.overridden, condition: conditionOf(e.rule) };
}
