/**
 * Settings per host group and per host (services/config/scope): alert thresholds and per-rule
 * overrides over the org's, as templates in Zabbix or per-system alerts in Beszel.
 */
import { z } from "@hono/zod-openapi";
import { scopeKinds } from "../db/schema";
import { alertThresholdsSchema } from "../lib/wire";
import { isoTime, severitySchema } from "./common";
import { ACTION, DAY, NAME, nameText, RuleViewSchema, seconds } from "./rules";

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
const level = z.enum(scopeLevels);

export const ScopeOverridesSchema = z
  .object({
    kind: z.enum(scopeKinds),
    key: z.string().openapi({ description: "the group's name, or the host's id" }),
    thresholds: z.record(z.string(), z.number()),
    rules: z.record(z.string(), scopedRulePatchSchema),
    updatedAt: isoTime,
  })
  .openapi("ScopeOverrides");
export type ScopeOverridesView = z.infer<typeof ScopeOverridesSchema>;

export const scopeParams = z.object({
  kind: z.enum(scopeKinds).openapi({ param: { name: "kind", in: "path" } }),
  key: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.:-]+$/, "a group name, or a host id or name")
    .openapi({ param: { name: "key", in: "path" }, description: "group name; host id or name" }),
});

export const EffectiveConfigSchema = z
  .object({
    hostId: z.string(),
    host: z.string(),
    group: z.string().nullable(),
    thresholds: z.record(z.string(), z.object({ value: z.number(), setBy: level })),
    rules: z.array(
      RuleViewSchema.extend({
        setBy: level.openapi({ description: "the most specific level that changed the rule" }),
        fieldsSetBy: z.record(z.string(), level).openapi({ description: "fields a group or the host set" }),
      }),
    ),
  })
  .openapi("EffectiveConfig");
export type EffectiveConfig = z.infer<typeof EffectiveConfigSchema>;
