import { z } from "@hono/zod-openapi";
import { issueStatuses } from "../db/schema/issues";
import { historyStatuses } from "../db/schema/recovery";
import { line } from "../lib/wire";
import { isoTime, severitySchema } from "./common";

export const HistoryEntrySchema = z
  .object({
    id: z.string(),
    issueId: z.string(),
    hostId: z.string(),
    host: z.string(),
    commandId: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    status: z.enum(historyStatuses),
    trigger: z.enum(["auto", "manual", "local"]),
    startedAt: isoTime,
    finishedAt: isoTime.nullable(),
    exitCode: z.number().int().nullable(),
    output: z.string().nullable(),
    durationMs: z.number().int().nullable(),
    verified: z.boolean(),
  })
  .openapi("HistoryEntry");

export const IssueSchema = z
  .object({
    id: z.string(),
    hostId: z.string(),
    host: z.string(),
    rule: z.string(),
    ruleName: z.string(),
    target: z.string().nullable(),
    severity: severitySchema,
    status: z.enum(issueStatuses),
    summary: z.string(),
    evidence: z.record(z.string(), z.unknown()),
    actions: z.array(z.string()),
    attempts: z.number().int().openapi({ description: "recovery attempts made for this issue" }),
    detectedAt: isoTime,
    resolvedAt: isoTime.nullable(),
    mttrSeconds: z.number().nullable(),
    escalatedAt: isoTime.nullable(),
    respondBy: isoTime.nullable().openapi({ description: "the response-time target by severity" }),
    // ---- Acknowledgement and operator issues ----
    acknowledgedAt: isoTime.nullable(),
    acknowledgedBy: z
      .string()
      .nullable()
      .openapi({ description: "the name of the token that acknowledged it" }),
    source: z
      .enum(["engine", "operator"])
      .openapi({ description: "operator: a host action asked for by a person" }),
    // ---- Diagnostics ----
    flapping: z.boolean().openapi({ description: "opening and closing too often: automatic actions held" }),
    incident: z
      .object({
        key: z.string().openapi({ description: "ruleId|target of the incident's probable cause" }),
        probableCause: z.string(),
        cause: z.boolean().openapi({ description: "this issue is the probable cause (only it is acted on)" }),
        related: z.array(z.string()).openapi({ description: "ids of the incident's other open issues" }),
      })
      .openapi("Incident"),
    fleetIncident: z
      .object({
        id: z.string(),
        probableCause: z
          .string()
          .nullable()
          .openapi({ description: "a deploy or config change before it, or null" }),
      })
      .nullable()
      .openapi({ description: "the fleet incident it belongs to (GET /api/v1/incidents/{id})" }),
    explanation: z
      .object({
        rule: z.object({ id: z.string(), name: z.string(), kind: z.string(), condition: z.string() }),
        evidence: z.record(z.string(), z.unknown()),
        plan: z.object({
          actions: z.array(z.string()),
          next: z.string().nullable(),
          why: z.string(),
          target: z.string().nullable().optional(),
          targetWhy: z.string().optional(),
          chain: z
            .array(z.object({ action: z.string(), target: z.string().nullable(), why: z.string() }))
            .optional(),
          skipped: z.array(z.object({ action: z.string(), reason: z.string() })).optional(),
        }),
      })
      .openapi("Explanation"),
  })
  .openapi("Issue");

export type Issue = z.infer<typeof IssueSchema>;
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const PredictionSchema = z
  .object({
    action: z.string(),
    successProbability: z.number().openapi({
      description: "learned chance this action heals this rule's issues: (succeeded + 1) / (attempts + 2)",
    }),
    attempts: z.number().int().openapi({ description: "finished attempts of it on this rule's issues" }),
    succeeded: z.number().int().openapi({ description: "of which verified (the condition then cleared)" }),
    learned: z.boolean().openapi({ description: "enough attempts for the planner to order by it" }),
  })
  .openapi("Prediction");

export const IssueDetailSchema = IssueSchema.extend({
  history: z.array(HistoryEntrySchema),
  prediction: z
    .array(PredictionSchema)
    .openapi({ description: "recovery success prediction for each planned action, in plan order" }),
}).openapi("IssueDetail");

export const issuesQuery = z.object({
  status: z.enum([...issueStatuses, "active"]).optional(),
  host: z.string().min(1).max(128).optional().openapi({ description: "host id or name" }),
  severity: severitySchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const historyQuery = z.object({
  host: z.string().min(1).max(128).optional().openapi({ description: "host id or name" }),
  issue: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const CloseIssueRequestSchema = z
  .object({ reason: line(500).trim().min(1) })
  .strict()
  .openapi("CloseIssueRequest");
