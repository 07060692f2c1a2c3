/** Recovery's answers and inputs: commands, maintenance windows, what recovery learned, action webhooks. */
import { z } from "@hono/zod-openapi";
import { commandStatuses } from "../db/schema";
import { commandSchema, line } from "../lib/wire";
import { isoTime } from "./common";

export const ActionWebhookSchema = z
  .object({
    name: z.string(),
    action: z.string().openapi({ description: "what a rule names in its actions: webhook:<name>" }),
    url: z.string(),
    hasSecret: z.boolean(),
    timeoutMs: z.number().int(),
    updatedAt: isoTime,
  })
  .openapi("ActionWebhook");

export const webhookNameParam = z.object({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/)
    .max(64)
    .openapi({ param: { name: "name", in: "path" } }),
});

export const CommandSchema = z
  .object({
    id: z.string(),
    hostId: z.string(),
    host: z.string().nullable(),
    issueId: z.string().nullable(),
    action: z.string(),
    target: z.string().nullable(),
    status: z.enum(commandStatuses),
    trigger: z.enum(["auto", "manual"]),
    createdAt: isoTime,
    expiresAt: isoTime,
    finishedAt: isoTime.nullable(),
    output: z.string().nullable(),
    approval: z.enum(["any", "second"]).nullable().openapi({
      description:
        "the approval it waits for (or waited for): any operator, or a second one (not the token that asked for it)",
    }),
    requestedBy: z
      .string()
      .nullable()
      .openapi({ description: "the name of the token that asked for it; null: the engine" }),
    requestedByYou: z.boolean().openapi({
      description: "asked for with the caller's own token (so it cannot give a second approval)",
    }),
    approvedBy: z.string().nullable().openapi({ description: "the name of the token that approved it" }),
  })
  .openapi("Command");
export type CommandView = z.infer<typeof CommandSchema>;

export const MaintenanceWindowSchema = z
  .object({
    id: z.string(),
    hostId: z.string().nullable(),
    group: z.string().nullable(),
    rule: z.string().nullable(),
    startsAt: isoTime,
    endsAt: isoTime,
    reason: z.string(),
    createdAt: isoTime,
  })
  .openapi("MaintenanceWindow");

export const MaintenanceWindowInputSchema = z
  .object({
    host: z.string().min(1).max(128).optional().openapi({ description: "host id or name" }),
    group: z.string().min(1).max(128).optional(),
    rule: z.string().min(1).max(64).optional(),
    startsAt: z.iso.datetime({ offset: true }).optional().openapi({ description: "default: now" }),
    endsAt: z.iso.datetime({ offset: true }),
    reason: line(500).min(1),
  })
  .strict()
  .openapi("MaintenanceWindowInput");

export const LearnedActionSchema = z
  .object({
    rule: z.string(),
    action: z.string(),
    attempts: z.number().int(),
    succeeded: z.number().int(),
    successRate: z.number(),
    successProbability: z.number(),
    minAttempts: z.number().int(),
    medianSecondsToRecover: z.number().nullable(),
  })
  .openapi("LearnedAction");

/** The agent's long-poll answer: the commands queued for its host, now delivered. */
export const AgentCommandsSchema = z.object({ commands: z.array(commandSchema) }).openapi("AgentCommands");
