/**
 * Settings per host group and per host (services/scope): alert thresholds and per-rule
 * overrides over the org's, as templates in Zabbix or per-system alerts in Beszel.
 */
import { z } from "@hono/zod-openapi";
import { alertThresholdsSchema } from "../lib/wire";
import { severitySchema } from "./common";
import { ACTION, DAY, NAME, nameText, seconds } from "./rules";

/** What a group or a host may change of one rule; the rest stays as the org has it. */
export const scopedRulePatchSchema = z
  .object({
    enabled: z.boolean().optional(),
    severity: severitySchema.optional(),
    threshold: z.number().optional(),
    clearThreshold: z.number().optional(),
    durationSeconds: seconds(7 * DAY).optional(),
    actions: z
      .array(z.string().max(64).regex(ACTION, `an action name (${nameText}) or webhook:<name>`))
      .max(10)
      .optional(),
    requireConfirmation: z.boolean().optional(),
  })
  .strict()
  .openapi("ScopedRulePatch");

export type ScopedRulePatch = z.infer<typeof scopedRulePatchSchema>;

export const scopeBodySchema = z
  .object({
    thresholds: alertThresholdsSchema.partial().default({}),
    rules: z
      .record(z.string().max(64).regex(NAME, nameText), scopedRulePatchSchema)
      .default({})
      .refine((r) => Object.keys(r).length <= 200, "at most 200 rules"),
  })
  .strict()
  .openapi("ScopeOverridesInput");

export const scopeLevels = ["default", "org", "group", "host"] as const;
export type ScopeLevel = (typeof scopeLevels)[number];
