/** Edge checks of public endpoints, run from the Cron Trigger. */
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, idParam, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { admins, readers } from "../middleware/auth";
import { EdgeCheckSchema, NewEdgeCheckSchema } from "../schemas/edge-checks";
import { createEdgeCheck, deleteEdgeCheck, listEdgeChecks } from "../services/edge/check-store";

const tags = ["edge checks"];
const create = createRoute({
  method: "post",
  path: "/",
  summary: "Check a public URL every minute: status and latency; failures open issues",
  tags,
  middleware: [admins()] as const,
  request: { body: jsonBody(NewEdgeCheckSchema) },
  responses: {
    201: jsonContent(EdgeCheckSchema, "The check"),
    ...errorResponses("BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE"),
  },
});
const list = createRoute({
  method: "get",
  path: "/",
  summary: "Every edge check with its last result",
  tags,
  middleware: [readers()] as const,
  responses: { 200: jsonContent(listOf(EdgeCheckSchema), "Checks by URL") },
});
const remove = createRoute({
  method: "delete",
  path: "/{id}",
  summary: "Stop checking a URL",
  tags,
  middleware: [admins()] as const,
  request: {
    params: idParam,
  },
  responses: {
    200: jsonContent(z.object({ id: z.string(), deleted: z.literal(true) }), "Removed"),
    ...errorResponses("NOT_FOUND"),
  },
});

export const edgeCheckRoutes = newRouter()
  .openapi(create, async (c) =>
    c.json(await createEdgeCheck(c.var.db, c.var.principal.orgId, c.req.valid("json")), 201),
  )
  .openapi(list, async (c) => c.json({ items: await listEdgeChecks(c.var.db, c.var.principal.orgId) }, 200))
  .openapi(remove, async (c) =>
    c.json(await deleteEdgeCheck(c.var.db, c.var.principal.orgId, c.req.valid("param").id), 200),
  );
