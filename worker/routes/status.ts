import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonContent, newRouter } from "../lib/openapi";
import { admins, readers } from "../middleware/auth";
import { wakeHosts, warmHosts } from "../objects/host/stub";
import { HealthCheckRequestSchema, HealthCheckSchema, StatusSchema } from "../schemas/healing";
import { type HostWaker, healthCheck } from "../services/fleet/health-check";
import { healingStatus } from "../services/fleet/status";

const status = createRoute({
  method: "get",
  path: "/status",
  summary: "Current healing system status: overall health, open issues and every host",
  tags: ["healing"],
  middleware: [readers()] as const,
  responses: { 200: jsonContent(StatusSchema, "The fleet at a glance") },
});

const check = createRoute({
  method: "post",
  path: "/health-check",
  summary: "Grade the latest samples per component and ask the agents for a fresh sample",
  tags: ["healing"],
  middleware: [admins()] as const,
  request: {
    body: { required: false, content: { "application/json": { schema: HealthCheckRequestSchema } } },
  },
  responses: {
    200: jsonContent(HealthCheckSchema, "The check, per host"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

export const statusRoutes = newRouter()
  .openapi(status, async (c) => c.json(await healingStatus(c.var.db, c.var.principal.orgId), 200))
  .openapi(check, async (c) => {
    // their health_check commands reach waiting agents at once
    const objects: HostWaker = {
      warm: (ids) => warmHosts(c.env, ids),
      wake: (ids, queued) => wakeHosts(c.env, ids, queued),
    };
    const checked = await healthCheck(c.var.db, c.var.principal.orgId, c.req.valid("json"), objects);
    return c.json(checked, 200);
  });
