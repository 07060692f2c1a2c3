import { z } from "@hono/zod-openapi";
import { issueStatuses } from "../db/schema/issues";
import { idParamOf, isoTime } from "./common";

export const FleetMemberSchema = z
  .object({
    issueId: z.string(),
    hostId: z.string(),
    host: z.string(),
    status: z.enum(issueStatuses),
    detectedAt: isoTime,
    resolvedAt: isoTime.nullable(),
    lead: z.boolean().openapi({ description: "the member that paged for the incident" }),
  })
  .openapi("FleetMember");

export const FleetIncidentSchema = z
  .object({
    id: z.string(),
    group: z.string(),
    rule: z.string(),
    target: z.string().nullable(),
    status: z.enum(["open", "resolved"]).openapi({ description: "open while any member is unresolved" }),
    hosts: z.number().int().openapi({ description: "members (one issue per host)" }),
    openedAt: isoTime,
    lastAt: isoTime.openapi({ description: "when the newest member opened" }),
    probableCause: z
      .object({
        kind: z.enum(["deploy", "config"]),
        ref: z.string().openapi({ description: "the deploy watch's id, or the audit entry's" }),
        at: isoTime,
        summary: z.string(),
      })
      .nullable(),
  })
  .openapi("FleetIncident");

export const FleetIncidentDetailSchema = FleetIncidentSchema.extend({
  members: z.array(FleetMemberSchema),
}).openapi("FleetIncidentDetail");

export type FleetIncident = z.infer<typeof FleetIncidentSchema>;
export type FleetIncidentDetail = z.infer<typeof FleetIncidentDetailSchema>;

export const fleetIncidentsQuery = z.object({
  status: z.enum(["open", "resolved"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const fleetIncidentIdParam = idParamOf(80);
