import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonContent, listOf, newRouter } from "../lib/openapi";
import { readers } from "../middleware/auth";
import {
  FleetIncidentDetailSchema,
  FleetIncidentSchema,
  fleetIncidentIdParam,
  fleetIncidentsQuery,
} from "../schemas/fleet";
import { getFleetIncident, listFleetIncidents } from "../services/issues/fleet-incidents";

const tags = ["healing"];

const list = createRoute({
  method: "get",
  path: "/",
  summary: "Fleet incidents (one rule firing on several hosts of a group within minutes), newest first",
  tags,
  middleware: [readers()] as const,
  request: { query: fleetIncidentsQuery },
  responses: {
    200: jsonContent(listOf(FleetIncidentSchema), "Fleet incidents"),
    ...errorResponses("BAD_REQUEST"),
  },
});

const one = createRoute({
  method: "get",
  path: "/{id}",
  summary: "One fleet incident with its member issues",
  tags,
  middleware: [readers()] as const,
  request: { params: fleetIncidentIdParam },
  responses: { 200: jsonContent(FleetIncidentDetailSchema, "The incident"), ...errorResponses("NOT_FOUND") },
});

export const incidentRoutes = newRouter()
  .openapi(list, async (c) =>
    c.json({ items: await listFleetIncidents(c.var.db, c.var.principal.orgId, c.req.valid("query")) }, 200),
  )
  .openapi(one, async (c) =>
    c.json(await getFleetIncident(c.var.db, c.var.principal.orgId, c.req.valid("param").id), 200),
  );
