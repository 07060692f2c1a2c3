/** GET /api/v1/hosts/{id}/thresholds: the host's suggested thresholds next to the org's. */
import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonContent, newRouter } from "../lib/openapi";
import { readers } from "../middleware/auth";
import { HostThresholdsSchema } from "../schemas/adaptive";
import { hostIdParam } from "../schemas/hosts";
import { hostThresholds } from "../services/rules/adaptive-thresholds";

const thresholds = createRoute({
  method: "get",
  path: "/{id}/thresholds",
  summary: "Adaptive thresholds: what the host's learned baseline suggests, next to the org's",
  tags: ["hosts"],
  middleware: [readers()] as const,
  request: { params: hostIdParam },
  responses: {
    200: jsonContent(HostThresholdsSchema, "The host's thresholds"),
    ...errorResponses("NOT_FOUND"),
  },
});

export const adaptiveRoutes = newRouter().openapi(thresholds, async (c) =>
  c.json(await hostThresholds(c.var.db, c.env, c.var.principal.orgId, c.req.valid("param").id), 200),
);
