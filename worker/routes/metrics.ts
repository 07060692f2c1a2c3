import { createRoute } from "@hono/zod-openapi";
import { jsonContent, newRouter } from "../lib/openapi";
import { readers } from "../middleware/auth";
import { MetricsSchema } from "../schemas/healing";
import { healingMetrics } from "../services/fleet/healing-metrics";

const metrics = createRoute({
  method: "get",
  path: "/metrics",
  summary: "MTTR, auto-recovery rate, issue and recovery counts",
  tags: ["healing"],
  middleware: [readers()] as const,
  responses: { 200: jsonContent(MetricsSchema, "Performance metrics") },
});

export const metricsRoutes = newRouter().openapi(metrics, async (c) =>
  c.json(await healingMetrics(c.var.db, c.var.principal.orgId), 200),
);
