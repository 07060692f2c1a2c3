import { createRoute } from "@hono/zod-openapi";
import { jsonContent, newRouter } from "../lib/openapi";
import { HealthSchema } from "../schemas/health";

export const VERSION = "0.1.0";

const health = createRoute({
  method: "get",
  path: "/",
  summary: "Liveness of the API (no credentials needed)",
  tags: ["system"],
  responses: { 200: jsonContent(HealthSchema, "The API answers") },
});

export const healthRoutes = newRouter().openapi(health, (c) =>
  c.json({ status: "ok" as const, version: VERSION, time: new Date().toISOString() }, 200),
);
