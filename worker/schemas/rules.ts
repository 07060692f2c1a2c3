/**
 * Rules as the API takes them: our camelCase Rule (agent/engine/types.ts), or the seed's
 * `diagnostic_rules` document keyed by name. Both end as engine rules checked by one schema, so
 * every error names the field (`cpu_spike.severity`, `threshold`).
 */
import { z } from "@hono/zod-openapi";
import {
  ACTION_TARGETS,
  MAX_NOISE_MARKS,
  NOTIFY,
  RULE_KINDS,
  type Rule,
  SEED_EDGE_ACTIONS,
  SELECTORS,
  WEBHOOK_PREFIX,
} from "../../agent/engine";
import { ApiError } from "../lib/errors";
import { validationError } from "../lib/openapi";
import { entityName, line, multiline } from "../lib/wire";
import { severitySchema } from "./common";

export const NAME = /^[a-z][a-z0-9_]*$/;
/** An agent action, or an edge action the Worker runs itself. */
export const ACTION = /^([a-z][a-z0-9_]*|webhook:[a-z][a-z0-9_-]*)$/;
export const nameText = "lowercase letters, digits and _, starting with a letter";
export const seconds = (max: number) => z.number().int().min(0).max(max);
export const DAY = 86_400;

/**
 * What a rule's actions act on when its finding names nothing (memory, cpu, a mount): a configured
 * service, cache, config or script by name, and/or a selector the engine resolves from the
 * host's report at plan time. Absent: the selector that fits the finding's metric.
 */
export const ruleTargetSchema = z
  .object({
    service: entityName.optional(),
    cache: entityName.optional(),
    config: entityName.optional(),
    script: entityName.optional(),
    select: z.enum(SELECTORS).optional(),
  })
  .strict()
  .refine((t) => Object.keys(t).length > 0, "name a service, cache, config or script, or a select")
  .openapi("RuleTarget", {
    example: { service: "web" },
    description:
      "select: mount_caches (the caches on the finding's mount, largest first), largest_rss, " +
      "fastest_rss_growth, top_cpu (a service from the newest report)",
  });

export const ruleSchema = z
  .object({
    id: z.string().max(64).regex(NAME, nameText),
    name: line(128).min(1).optional(),
    description: multiline(1000).optional(),
    kind: z.enum(RULE_KINDS as [Rule["kind"], ...Rule["kind"][]]),
    metric: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9_.:/-]*\*?[A-Za-z0-9_.:/-]*$/, "a metric name, with at most one *")
      .optional(),
    op: z.enum(["above", "below"]).optional(),
    threshold: z.number().optional(),
    clearThreshold: z.number().optional(),
    service: z.string().min(1).max(128).optional(),
    durationSeconds: seconds(7 * DAY).default(0),
    minSamples: z.number().int().min(1).max(1000).optional(),
    limit: z.number().optional(),
    horizonSeconds: seconds(30 * DAY)
      .min(60)
      .optional(),
    windowSeconds: seconds(7 * DAY)
      .min(60)
      .optional(),
    growthRate: z.number().positive().max(10_000).optional(),
    quantile: z.number().gt(0).lt(1).optional(),
    factor: z.number().positive().max(100).optional(),
    minScore: z.number().min(0).max(1).optional(),
    holdSamples: z.number().int().min(1).max(10).optional(),
    flapCount: z.number().int().min(2).max(100).optional(),
    flapWindowSeconds: seconds(DAY).min(10).optional(),
    severity: severitySchema,
    actions: z
      .array(z.string().max(64).regex(ACTION, `an action name (${nameText}) or webhook:<name>`))
      .max(10)
      .default([]),
    requireConfirmation: z.boolean().optional(),
    target: ruleTargetSchema.optional(),
    /** Set per host from operators' noise marks (issues/noise.ts); echoed in a host's effective rules. */
    noise: z
      .object({
        marks: z.number().int().min(0).max(MAX_NOISE_MARKS),
        baseDurationSeconds: seconds(7 * DAY),
        baseFactor: z.number().positive().max(100).optional(),
      })
      .strict()
      .optional(),
    enabled: z.boolean().default(true),
    /** Echoed back by GET; ignored on input. */
    builtin: z.boolean().optional(),
    overridden: z.boolean().optional(),
    condition: z.string().optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const need = (field: keyof Rule, why = `required for a ${r.kind} rule`) => {
      if (r[field as keyof typeof r] === undefined)
        ctx.addIssue({ code: "custom", path: [field], message: why });
    };
    const required: Record<Rule["kind"], (keyof Rule)[]> = {
      threshold: ["metric", "threshold"],
      service: ["service"],
      forecast: ["metric", "horizonSeconds"],
      growth: ["metric", "growthRate"],
      baseline: ["metric", "quantile"],
      anomaly: ["metric", "minScore"],
    };
    for (const field of required[r.kind]) need(field);
    if (r.kind !== "service" && r.service !== undefined)
      ctx.addIssue({ code: "custom", path: ["service"], message: `not used by a ${r.kind} rule` });
    if (r.kind === "service" && r.metric !== undefined)
      ctx.addIssue({ code: "custom", path: ["metric"], message: "not used by a service rule" });
    if (r.clearThreshold !== undefined && r.threshold !== undefined) {
      const above = (r.op ?? "above") === "above";
      if (above ? r.clearThreshold > r.threshold : r.clearThreshold < r.threshold)
        ctx.addIssue({
          code: "custom",
          path: ["clearThreshold"],
          message: `must be ${above ? "at or below" : "at or above"} threshold (${r.threshold})`,
        });
    }
  })
  .openapi("Rule");

export type RuleInput = z.input<typeof ruleSchema>;

/** The names a rule may list besides the org's action webhooks. */
export const KNOWN_ACTIONS: readonly string[] = [
  NOTIFY,
  ...Object.keys(ACTION_TARGETS),
  ...SEED_EDGE_ACTIONS,
];

/**
 * Why a listed action would never run, or null: an agent action, `notify`, `webhook:<name>`, the
 * seed's scale_resources, or the name of one of the org's action webhooks (`webhooks`; absent: a
 * caller that runs no actions, such as a backtest, and takes any such name).
 */
function unknownAction(action: string, webhooks?: ReadonlySet<string>): string | null {
  if (KNOWN_ACTIONS.includes(action) || action.startsWith(WEBHOOK_PREFIX)) return null;
  if (!webhooks || webhooks.has(action)) return null;
  return `unknown action ${action}: use notify, an agent action (${Object.keys(ACTION_TARGETS).join(", ")}), webhook:<name>, or the name of an action webhook`;
}

function badRule(issues: { path: string; message: string }[], prefix: string): ApiError {
  const paths = issues.map((i) => ({ ...i, path: prefix ? `${prefix}.${i.path}` : i.path }));
  return new ApiError(
    "BAD_REQUEST",
    `invalid ${prefix ? "rules" : "rule"}: ${[...new Set(paths.map((i) => i.path))].join(", ")}`,
    paths,
  );
}

/**
 * Validates one camelCase rule; `prefix` is prepended to error paths. `notify` is kept out of
 * the stored actions: it means the issue's notification alone, which every issue sends.
 */
export function parseRule(input: unknown, prefix = "", webhooks?: ReadonlySet<string>): Rule {
  const parsed = ruleSchema.safeParse(input);
  if (!parsed.success) {
    const err = validationError(parsed.error, "rule");
    if (!prefix) throw err;
    throw badRule(err.issues ?? [], prefix);
  }
  const unknown = parsed.data.actions.flatMap((a, i) => {
    const why = unknownAction(a, webhooks);
    return why ? [{ path: `actions.${i}`, message: why }] : [];
  });
  if (unknown.length) throw badRule(unknown, prefix);
  const { builtin: _b, overridden: _o, condition: _c, ...rule } = parsed.data;
  const actions = rule.actions.filter((a) => a !== NOTIFY);
  return { ...rule, actions, name: rule.name ?? rule.id, builtin: false };
}

export const ruleBodySchema = z.looseObject({}).openapi({
  description:
    "One rule in the camelCase Rule shape (has `id`), or the seed's diagnostic_rules keyed by name",
  example: { cpu_spike: { threshold: 90, duration: 300, severity: "high", actions: ["restart_service"] } },
});

export const RuleViewSchema = z
  .looseObject({
    id: z.string(),
    name: z.string(),
    kind: z.enum(RULE_KINDS as [Rule["kind"], ...Rule["kind"][]]),
    severity: severitySchema,
    actions: z.array(z.string()),
    enabled: z.boolean(),
    builtin: z.boolean(),
    overridden: z.boolean(),
    condition: z.string(),
  })
  .openapi("RuleView");

/** A backtest reads at most this many samples (the answer says when it was cut). */
export const BACKTEST_MAX_SAMPLES = 20_000;

export const BacktestRequestSchema = z
  .object({
    rule: z.record(z.string(), z.unknown()).openapi({ description: "a rule in either shape" }),
    host: z.string().min(1).max(128).openapi({ description: "host id or name" }),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .openapi("BacktestRequest");

export const BacktestSchema = z
  .object({
    rule: z.string(),
    samples: z.number().int(),
    metricSamples: z.number().int().openapi({
      description: "how many of the samples carry the rule's metric (every one for a rule without one)",
    }),
    warning: z.string().nullable().openapi({
      description: "why the firings say little: no sample has the rule's metric, or there are no samples",
    }),
    from: z.string().nullable(),
    to: z.string().nullable(),
    truncated: z
      .boolean()
      .openapi({ description: `only the first ${BACKTEST_MAX_SAMPLES} samples were read` }),
    firings: z.array(
      z.object({
        target: z.string().nullable(),
        openedAt: z.string(),
        clearedAt: z.string().nullable(),
        durationSeconds: z.number(),
        peak: z.number().nullable(),
        summary: z.string(),
      }),
    ),
    totalFiringSeconds: z.number(),
  })
  .openapi("Backtest");

export const RuleDeletedSchema = z
  .object({ id: z.string(), deleted: z.boolean(), restored: z.boolean() })
  .openapi("RuleDeleted");
