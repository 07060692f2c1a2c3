/**
 * Host-level actions asked for by a person: the dashboard's emergency
 * protocols. Action names are the agent's own (agent/src/actions/names.ts), so nothing the agent
 * has no handler for can be queued; the agent still refuses what its local config does not allow.
 */
import { z } from "@hono/zod-openapi";
import { ACTION_NAMES } from "../../agent/src/actions/names";
import { commandStatuses, issueStatuses } from "../db/schema";
import { entityName, line } from "../lib/wire";
import { severitySchema } from "./common";

/** health_check has its own endpoint (POST /api/healing/health-check) and opens no issue. */
export const HOST_ACTIONS = ACTION_NAMES.filter((a) => a !== "health_check") as [string, ...string[]];

export const HostActionRequestSchema = z
  .object({
    action: z.enum(HOST_ACTIONS).openapi({ description: "one of the agent's action kinds" }),
    target: entityName.optional().openapi({ description: "service, cache, config or script name" }),
    reason: line(500).trim().min(1),
    severity: severitySchema
      .optional()
      .openapi({ description: "default: critical for emergency_shutdown, else high" }),
  })
  .strict()
  .openapi("HostActionRequest");

export const HostActionSchema = z
  .object({
    issueId: z.string(),
    issueStatus: z.enum(issueStatuses),
    commandId: z.string(),
    commandStatus: z.enum(commandStatuses),
    hostId: z.string(),
    host: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    reason: z.string(),
  })
  .openapi("HostAction");

export type HostActionRequest = z.infer<typeof HostActionRequestSchema>;
export type HostAction = z.infer<typeof HostActionSchema>;
