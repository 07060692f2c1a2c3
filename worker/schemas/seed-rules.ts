/**
 * The seed's `diagnostic_rules` document: rules keyed by name, with `duration`, `growth_rate`,
 * `threshold`, `severity` and `actions`. Each becomes a camelCase rule and is validated as one,
 * with errors named after the rule (`cpu_spike.severity`).
 */
import { z } from "@hono/zod-openapi";
import type { Rule } from "../../agent/engine";
import { ApiError } from "../lib/errors";
import { validationError } from "../lib/openapi";
import { severitySchema } from "./common";
import { DAY, NAME, nameText, parseRule, ruleTargetSchema, seconds } from "./rules";

/** One entry of the seed's `diagnostic_rules`. */
const seedRuleSchema = z
  .object({
    metric: z.string().min(1).max(128).optional(),
    description: z.string().max(1000).optional(),
    threshold: z.number().optional(),
    duration: seconds(7 * DAY).optional(),
    growth_rate: z.number().positive().max(10_000).optional(),
    window: seconds(7 * DAY)
      .min(60)
      .optional(),
    severity: severitySchema,
    actions: z.array(z.string()).default([]),
    target: ruleTargetSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

const seedDocumentSchema = z
  .record(z.string().max(64).regex(NAME, `rule names are ${nameText}`), seedRuleSchema)
  .refine((doc) => Object.keys(doc).length > 0, "no rules given")
  .refine((doc) => Object.keys(doc).length <= 50, "at most 50 rules at once");

/** The seed names rules after what they watch; `cpu_spike` watches cpu. */
const PREFIXES: [string, string][] = [
  ["cpu_", "cpu"],
  ["memory_", "memory"],
  ["disk_", "disk"],
  ["swap_", "swap"],
  ["load_", "load1"],
];

function fromSeed(name: string, s: z.infer<typeof seedRuleSchema>): Record<string, unknown> {
  const metric = s.metric ?? PREFIXES.find(([prefix]) => name.startsWith(prefix))?.[1];
  if (!metric) {
    throw new ApiError("BAD_REQUEST", `invalid rules: ${name}.metric`, [
      {
        path: `${name}.metric`,
        message: "cannot tell the metric from the name (cpu_, memory_, disk_, swap_, load_): give metric",
      },
    ]);
  }
  const growth = s.growth_rate !== undefined;
  return {
    id: name,
    name,
    description: s.description,
    kind: growth ? "growth" : "threshold",
    metric,
    threshold: s.threshold,
    durationSeconds: s.duration ?? 0,
    ...(growth ? { growthRate: s.growth_rate, windowSeconds: s.window ?? 3600 } : {}),
    severity: s.severity,
    actions: s.actions,
    target: s.target,
    enabled: s.enabled,
  };
}

/** A POST body: one camelCase rule (it has an `id`), or the seed's document of one or more rules. */
export function parseRuleBody(body: unknown, webhooks?: ReadonlySet<string>): Rule[] {
  const isObject = typeof body === "object" && body !== null && !Array.isArray(body);
  if (isObject && typeof (body as Record<string, unknown>).id === "string")
    return [parseRule(body, "", webhooks)];
  const doc = seedDocumentSchema.safeParse(body);
  if (!doc.success) throw validationError(doc.error, "rules");
  return Object.entries(doc.data).map(([name, seed]) => parseRule(fromSeed(name, seed), name, webhooks));
}
