import { createRoute } from "@hono/zod-openapi";
import { jsonContent, listOf, newRouter } from "../lib/openapi";
import { readers } from "../middleware/auth";
import { LearnedActionSchema } from "../schemas/recovery";
import { learning } from "../services/recovery/learning";

const list = createRoute({
  method: "get",
  path: "/",
  summary: "Success rate and time to recover per (rule, action): the order recovery tries actions in",
  tags: ["recovery"],
  middleware: [readers()] as const,
  responses: { 200: jsonContent(listOf(LearnedActionSchema), "Per rule and action") },
});

export const learningRoutes = newRouter().openapi(list, async (c) =>
  c.json({ items: await learning(c.var.db, c.var.principal.orgId) }, 200),
);
