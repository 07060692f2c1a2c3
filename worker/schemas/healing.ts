/** Request and response shapes of the /api/healing routes that have no home of their own. */
import { z } from "@hono/zod-openapi";
import { isoTime } from "./common";
import { HostSummarySchema, healthStatusSchema } from "./hosts";
import { IssueSchema } from "./issues";
import { AvailabilitySchema } from "./uptime";

const targetCounts = z.object({ breached: z.number().int(), met: z.number().int() });
const severityCounts = {
  critical: z.number().int(),
  high: z.number().int(),
  medium: z.number().int(),
  low: z.number().int(),
};

export const StatusSchema = z
  .object({
    enabled: z.boolean(),
    overallStatus: healthStatusSchema,
    healthScore: z.number().nullable(),
    openIssues: z.object({ ...severityCounts, total: z.number().int() }),
    awaitingApproval: z.number().int().openapi({
      description: "unresolved issues waiting for a person's approval: a state of their own, not a severity",
    }),
    lastCheck: isoTime.nullable(),
    hosts: z.array(HostSummarySchema),
  })
  .openapi("HealingStatus");

export const components = ["cpu", "memory", "disk", "network", "services"] as const;
export type Component = (typeof components)[number];

export const HealthCheckRequestSchema = z
  .object({
    components: z.array(z.enum(components)).min(1).optional(),
    host: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .openapi({ description: "host id or name; all hosts when absent" }),
  })
  .strict()
  .openapi("HealthCheckRequest");

const componentStatus = z.enum(["healthy", "degraded", "critical", "unknown"]);

export const HealthCheckSchema = z
  .object({
    overallStatus: healthStatusSchema,
    healthScore: z.number().nullable(),
    checkedAt: isoTime,
    hosts: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        healthScore: z.number().nullable(),
        status: healthStatusSchema,
        components: z.record(z.string(), z.object({ value: z.number().nullable(), status: componentStatus })),
        sampleRequested: z.boolean(),
      }),
    ),
    issues: z.array(IssueSchema),
  })
  .openapi("HealthCheck");

export const RecoverRequestSchema = z
  .object({
    issue_id: z.string().min(1).max(64),
    action: z
      .string()
      .min(1)
      .max(64)
      .regex(
        /^([a-z][a-z0-9_]*|webhook:[a-z][a-z0-9_-]*)$/,
        "an action name (lowercase letters, digits and _) or webhook:<name>",
      )
      .default("auto")
      .openapi({ description: '"auto" (the next planned action) or an action name such as restart_service' }),
  })
  .strict()
  .openapi("RecoverRequest");

export const RecoverResponseSchema = z
  .object({
    commandId: z.string(),
    issueId: z.string(),
    hostId: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    status: z.enum(["pending", "awaiting_approval"]).openapi({
      description:
        "pending: queued (or a waiting command approved); awaiting_approval: the safeguards ask for an approval first",
    }),
  })
  .openapi("RecoverResponse");

export const MetricsSchema = z
  .object({
    mttrSeconds: z.object({
      mean: z.number().nullable(),
      p50: z.number().nullable(),
      p95: z.number().nullable(),
    }),
    autoRecoveryRate: z.number().min(0).max(1).nullable().openapi({
      description:
        "issues healed by an automatic attempt (it succeeded and the condition cleared) / issues with an automatic attempt; manual recoveries, emergency protocols and refused actions are left out",
    }),
    autoRecovery: z.object({ attempted: z.number().int(), healed: z.number().int() }),
    engineIssues: z
      .object({ total: z.number().int(), resolved: z.number().int(), escalated: z.number().int() })
      .openapi({
        description: "the engine's own issues (operator actions and emergency protocols left out)",
      }),
    issues: z.object({
      total: z.number().int(),
      open: z.number().int(),
      resolved: z.number().int(),
      escalated: z.number().int(),
      bySeverity: z.object(severityCounts),
    }),
    recoveries: z.object({
      total: z.number().int(),
      succeeded: z.number().int(),
      failed: z.number().int(),
      refused: z.number().int(),
      timedOut: z.number().int(),
      byAction: z.record(
        z.string(),
        z.object({ total: z.number().int(), succeeded: z.number().int(), failed: z.number().int() }),
      ),
    }),
    byRule: z.record(
      z.string(),
      z.object({
        issues: z.number().int().openapi({ description: "resolved issues" }),
        mttrSeconds: z.object({ mean: z.number().nullable(), p50: z.number().nullable() }),
        autoRecoveryRate: z.number().min(0).max(1).nullable(),
      }),
    ),
    responseTargets: z
      .object({
        breached: z.number().int().openapi({ description: "issues unresolved past their respondBy" }),
        met: z.number().int().openapi({ description: "issues resolved by their respondBy" }),
        bySeverity: z.object({
          critical: targetCounts,
          high: targetCounts,
          medium: targetCounts,
          low: targetCounts,
        }),
      })
      .openapi({ description: "response-time targets by severity" }),
    availability: AvailabilitySchema,
  })
  .openapi("HealingMetrics");
