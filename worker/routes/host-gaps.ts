/** GET /api/v1/hosts/{id}/gaps: what an agent's offline spool had to drop. */
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonContent, listOf, newRouter } from "../lib/openapi";
import { readers } from "../middleware/auth";
import { hostIdParam } from "../schemas/hosts";
import { listGaps } from "../services/ingest/sample-gaps";

const GapSchema = z
  .object({
    from: z.string().openapi({ example: "2026-01-01T00:00:00.000Z" }),
    to: z.string(),
    samples: z.number().int(),
    results: z.number().int(),
    reportedAt: z.string(),
  })
  .openapi("SampleGap");

const list = createRoute({
  method: "get",
  path: "/{id}/gaps",
  summary: "Samples the host's agent dropped at its offline spool's size cap, newest first (at most 500)",
  tags: ["hosts"],
  middleware: [readers()] as const,
  request: { params: hostIdParam },
  responses: {
    200: jsonContent(listOf(GapSchema), "Gaps, newest first"),
    ...errorResponses("NOT_FOUND"),
  },
});

export const hostGapRoutes = newRouter().openapi(list, async (c) =>
  c.json({ items: await listGaps(c.var.db, c.var.principal.orgId, c.req.valid("param").id) }, 200),
);
