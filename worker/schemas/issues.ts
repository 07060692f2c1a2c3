import { z } from "@hono/zod-openapi";
import { historyStatuses, issueStatuses } from "../db/schema";

const isoTime = z.string().openapi({ format: "date-time" });
export const severitySchema = z.enum(["critical", "high", "medium", "low"]);

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
    trigger: z.enum(["auto", "manual"]),
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
  })
  .openapi("Issue");

export type Issue = z.infer<typeof IssueSchema>;
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const IssueDetailSchema = IssueSchema.extend({ history: z.array(HistoryEntrySchema) }).openapi(
  "IssueDetail",
);

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

export const issueIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});
