/**
 * The healing configuration document, under the seed's own snake_case keys so the seed's curl
 * examples work unchanged. POST accepts a partial document (deep-merged) plus the seed's two
 * troubleshooting aliases: top-level `alert_thresholds` and `monitoring_interval`.
 */
import { z } from "@hono/zod-openapi";
import { alertThresholdsSchema } from "../lib/wire";
import { severitySchema } from "./common";

// 1 s is allowed for fast local healing and benchmarks; the seed default is 30 s.
const interval = z.number().int().min(1).max(3600);
const maxAttempts = z.number().int().min(1).max(10);

/** This many succeeded restarts of one service within windowSeconds is a crash loop. */
const crashLoop = z
  .object({
    restarts: z.number().int().min(1).max(100),
    windowSeconds: z.number().int().min(10).max(86_400),
  })
  .strict();

/**
 * true/false (the seed's switch), or which actions need a human: by the issue's severity, the
 * action or the rule id. emergency_shutdown always does, whatever this says. The same shape says
 * which approvals must come from a token other than the requester's (recovery.second_approval).
 */
export const confirmationSchema = z.union([
  z.boolean(),
  z
    .object({
      severities: z.array(severitySchema).optional(),
      actions: z.array(z.string().max(64)).max(50).optional(),
      rules: z.array(z.string().max(64)).max(200).optional(),
    })
    .strict(),
]);

/** Seconds to resolve an issue, by severity (absent: 60, 300, 3600, 86400). */
const responseTargets = z
  .object({
    critical: z.number().int().min(1).max(604_800),
    high: z.number().int().min(1).max(604_800),
    medium: z.number().int().min(1).max(604_800),
    low: z.number().int().min(1).max(604_800),
  })
  .partial()
  .strict();

/**
 * Days of raw samples, 1-minute and 1-hour rollups kept (absent: 2, 14, 400; see
 * services/retention/run.ts). Coarser data must be kept at least as long as finer data.
 */
export const RETENTION_DEFAULTS = { raw_days: 2, minute_days: 14, hour_days: 400 } as const;
const retention = z
  .object({
    raw_days: z.number().int().min(1).max(30),
    minute_days: z.number().int().min(1).max(90),
    hour_days: z.number().int().min(1).max(1830),
  })
  .partial()
  .strict();

/**
 * Silent hosts (services/fleet/silence): a host that sends no report for after_seconds (absent:
 * max(3 × interval, 60 s)) opens a host_offline issue of this severity (absent: high).
 */
const hostOffline = z
  .object({
    after_seconds: z.number().int().min(5).max(86_400),
    severity: severitySchema,
  })
  .partial()
  .strict();

/** Environment presets under the org's explicit settings (services/config/profiles.ts). */
export const profiles = ["development", "staging", "production"] as const;
const verifyScale = z.number().min(0.1).max(10);

/**
 * Adaptive thresholds: suggestions from each host's learned baseline are always shown next to the
 * org's; `auto` applies them, clamped into `bounds` (absent: 10 points either side of the org's).
 */
const bound = z
  .object({ min: z.number().min(0).max(100), max: z.number().min(0).max(100) })
  .strict()
  .refine((b) => b.min <= b.max, { message: "min must not be above max", path: ["min"] });
export const adaptiveThresholdsSchema = z
  .object({
    mode: z.enum(["suggest", "auto"]),
    bounds: z
      .object({
        cpu_warning: bound,
        cpu_critical: bound,
        memory_warning: bound,
        memory_critical: bound,
        disk_warning: bound,
        disk_critical: bound,
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();

const pairs = [
  ["cpu_warning", "cpu_critical"],
  ["memory_warning", "memory_critical"],
  ["disk_warning", "disk_critical"],
] as const;

export const healingConfigSchema = z
  .object({
    enabled: z.boolean(),
    monitoring: z
      .object({
        interval,
        enable_ai_diagnostics: z.boolean(),
        alert_thresholds: alertThresholdsSchema,
        /** Absent: suggest only. */
        adaptive_thresholds: adaptiveThresholdsSchema.optional(),
      })
      .strict(),
    recovery: z
      .object({
        max_attempts: maxAttempts,
        auto_recovery: z.boolean(),
        require_confirmation: confirmationSchema,
        emergency_shutdown: z.boolean(),
        /** Absent: 5 restarts in 600 s (services/recovery/crash-loop.ts); absent from the seed's document. */
        crash_loop: crashLoop.partial().optional(),
        /** Multiplies the verification window (3 report intervals, at least 20 s); absent: 1. */
        verify_scale: verifyScale.optional(),
        /** Which approvals need a second identity (recovery/safeguards.ts); absent: emergency_shutdown. */
        second_approval: confirmationSchema.optional(),
      })
      .strict(),
    response_targets: responseTargets.optional(),
    retention: retention.optional(),
    host_offline: hostOffline.optional(),
    /** Absent: staging (the defaults as they are). */
    profile: z.enum(profiles).optional(),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const t = doc.monitoring.alert_thresholds;
    for (const [warning, critical] of pairs) {
      if (t[warning] > t[critical]) {
        ctx.addIssue({
          code: "custom",
          path: ["monitoring", "alert_thresholds", warning],
          message: `${warning} (${t[warning]}) must not be above ${critical} (${t[critical]})`,
        });
      }
    }
    // A rollup kept for less time than the data it summarises would leave a gap.
    const r = { ...RETENTION_DEFAULTS, ...doc.retention };
    if (r.minute_days < r.raw_days || r.hour_days < r.minute_days)
      ctx.addIssue({
        code: "custom",
        path: ["retention"],
        message: `retention must not shrink with coarser data: raw_days ${r.raw_days} <= minute_days ${r.minute_days} <= hour_days ${r.hour_days}`,
      });
  })
  .openapi("HealingConfig");

export type HealingConfig = z.infer<typeof healingConfigSchema>;

const partialThresholds = alertThresholdsSchema.partial();

export const healingConfigPatchSchema = z
  .object({
    enabled: z.boolean().optional(),
    monitoring: z
      .object({
        interval: interval.optional(),
        enable_ai_diagnostics: z.boolean().optional(),
        alert_thresholds: partialThresholds.optional(),
        adaptive_thresholds: adaptiveThresholdsSchema.partial().optional(),
      })
      .strict()
      .optional(),
    recovery: z
      .object({
        max_attempts: maxAttempts.optional(),
        auto_recovery: z.boolean().optional(),
        require_confirmation: confirmationSchema.optional(),
        emergency_shutdown: z.boolean().optional(),
        crash_loop: crashLoop.partial().optional(),
        verify_scale: verifyScale.optional(),
        second_approval: confirmationSchema.optional(),
      })
      .strict()
      .optional(),
    response_targets: responseTargets.optional(),
    retention: retention.optional(),
    host_offline: hostOffline.optional(),
    profile: z.enum(profiles).optional(),
    /** Seed alias of monitoring.alert_thresholds. */
    alert_thresholds: partialThresholds.optional(),
    /** Seed alias of monitoring.interval. */
    monitoring_interval: interval.optional(),
  })
  .strict()
  .openapi("HealingConfigPatch");

export type HealingConfigPatch = z.infer<typeof healingConfigPatchSchema>;
