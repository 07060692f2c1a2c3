/** Deploy gates for CI/CD (a host's group is set with PATCH /api/v1/hosts/{id}). */
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, idParam, jsonBody, jsonContent, newRouter } from "../lib/openapi";
import { admins, readers } from "../middleware/auth";
import { GateSchema, GateWatchSchema, gateScope } from "../schemas/gates";
import { checkGate, startWatch, watchStatus } from "../services/edge/deploy-gates";

const tags = ["gates"];
const gate = createRoute({
  method: "get",
  path: "/gate",
  summary: "Pass or fail a deploy: open critical/high issues, services down, offline hosts, low health",
  tags,
  middleware: [readers()] as const,
  request: { query: z.object({ ...gateScope, min_health: z.coerce.number().min(0).max(100).optional() }) },
  responses: {
    200: jsonContent(GateSchema, "The verdict with reasons"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND"),
  },
});
const watch = createRoute({
  method: "post",
  path: "/gate/watch",
  summary: "Watch health for a window after a deploy",
  tags,
  middleware: [admins()] as const,
  request: {
    body: jsonBody(
      z
        .object({
          ...gateScope,
          windowSeconds: z.number().int().min(10).max(86_400),
          baseline: z.number().min(0).max(100).optional(),
          maxDrop: z.number().min(0).max(100).default(10),
        })
        .strict(),
    ),
  },
  responses: {
    201: jsonContent(GateWatchSchema, "The watch"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND"),
  },
});
const watchOne = createRoute({
  method: "get",
  path: "/gate/watch/{id}",
  summary: "A post-deploy watch: watching, passed or failed (with reasons)",
  tags,
  middleware: [readers()] as const,
  request: { params: idParam },
  responses: { 200: jsonContent(GateWatchSchema, "The watch"), ...errorResponses("NOT_FOUND") },
});
export const gateRoutes = newRouter()
  .openapi(gate, async (c) => {
    const { group, host, min_health } = c.req.valid("query");
    return c.json(
      await checkGate(c.var.db, c.var.principal.orgId, { group, host, minHealth: min_health }),
      200,
    );
  })
  .openapi(watch, async (c) =>
    c.json(await startWatch(c.var.db, c.env, c.var.principal.orgId, c.req.valid("json")), 201),
  )
  .openapi(watchOne, async (c) =>
    c.json(await watchStatus(c.var.db, c.env, c.var.principal.orgId, c.req.valid("param").id), 200),
  );
