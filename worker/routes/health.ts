import { createRoute, z } from "@hono/zod-openapi";
import { jsonContent, newRouter } from "../lib/openapi";

export const VERSION = "0.1.0";

const HealthSchema = z
  .object({ status: z.literal("ok"), version: z.string(), time: z.string().openapi({ format: "date-time" }) })
  .openapi("Health");

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
