/** GET /api/v1/hosts/{id}/gaps: what an agent's offline spool had to drop. */
import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonContent, listOf, newRouter } from "../lib/openapi";
import { readers } from "../middleware/auth";
import { hostIdParam, SampleGapSchema } from "../schemas/hosts";
import { listGaps } from "../services/ingest/sample-gaps";

const list = createRoute({
  method: "get",
  path: "/{id}/gaps",
  summary: "Samples the host's agent dropped at its offline spool's size cap, newest first (at most 500)",
  tags: ["hosts"],
  middleware: [readers()] as const,
  request: { params: hostIdParam },
  responses: {
    200: jsonContent(listOf(SampleGapSchema), "Gaps, newest first"),
    ...errorResponses("NOT_FOUND"),
  },
});

export const hostGapRoutes = newRouter().openapi(list, async (c) =>
  c.json({ items: await listGaps(c.var.db, c.var.principal.orgId, c.req.valid("param").id) }, 200),
);
