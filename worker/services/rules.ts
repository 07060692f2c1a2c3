/** Rules in force for an org: the built-ins from its thresholds plus its enabled custom rules. */
import { z } from "zod";
import { defaultRules, type Rule } from "../../agent/engine";
import type { HealingConfig } from "../schemas/config";

const ruleSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(128),
  description: z.string().optional(),
  kind: z.enum(["threshold", "service"]),
  metric: z.string().optional(),
  op: z.enum(["above", "below"]).optional(),
  threshold: z.number().optional(),
  clearThreshold: z.number().optional(),
  service: z.string().optional(),
  durationSeconds: z.number().min(0),
  severity: z.enum(["critical", "high", "medium", "low"]),
  actions: z.array(z.string()),
  enabled: z.boolean().default(true),
});

/** A stored definition that no longer parses is skipped rather than failing every report. */
export function parseCustomRule(definition: unknown): Rule | null {
  const parsed = ruleSchema.safeParse(definition);
  return parsed.success ? { ...parsed.data, enabled: true, builtin: false } : null;
}

export function rulesFor(config: HealingConfig, custom: Rule[]): Rule[] {
  const builtin = defaultRules(config.monitoring.alert_thresholds);
  const taken = new Set(builtin.map((r) => r.id));
  return [...builtin, ...custom.filter((r) => !taken.has(r.id))];
}
