import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonContent, listOf, newRouter } from "../lib/openapi";
import { readers } from "../middleware/auth";
import { HostSummarySchema, hostIdParam, SampleSchema, samplesQuery } from "../schemas/hosts";
import { getHost, listHosts, listSamples } from "../services/hosts";

const list = createRoute({
  method: "get",
  path: "/",
  summary: "Every host of the org",
  tags: ["hosts"],
  middleware: [readers()] as const,
  responses: { 200: jsonContent(listOf(HostSummarySchema), "Hosts by name") },
});

const one = createRoute({
  method: "get",
  path: "/{id}",
  summary: "One host",
  tags: ["hosts"],
  middleware: [readers()] as const,
  request: { params: hostIdParam },
  responses: { 200: jsonContent(HostSummarySchema, "The host"), ...errorResponses("NOT_FOUND") },
});

const samples = createRoute({
  method: "get",
  path: "/{id}/samples",
  summary: "A host's samples, oldest first (the latest `limit` unless `from` is given)",
  tags: ["hosts"],
  middleware: [readers()] as const,
  request: { params: hostIdParam, query: samplesQuery },
  responses: {
    200: jsonContent(listOf(SampleSchema), "Samples"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND"),
  },
});

export const hostRoutes = newRouter()
  .openapi(list, async (c) => c.json({ items: await listHosts(c.var.db, c.var.principal.orgId) }, 200))
  .openapi(one, async (c) =>
    c.json(await getHost(c.var.db, c.var.principal.orgId, c.req.valid("param").id), 200),
  )
  .openapi(samples, async (c) => {
    const items = await listSamples(
      c.var.db,
      c.var.principal.orgId,
      c.req.valid("param").id,
      c.req.valid("query"),
    );
    return c.json({ items }, 200);
  });
