import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { admins, readers } from "../middleware/auth";
import { wakeHosts } from "../objects/host/stub";
import { HostSummarySchema, hostIdParam, SamplesSchema, samplesQuery } from "../schemas/hosts";
import { setHostGroup } from "../services/host-group";
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
    200: jsonContent(SamplesSchema, "Samples or rollup buckets, with their resolution"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND"),
  },
});

// Issue 4: the host's group (rolling recovery, channel and maintenance filters); null clears it.
const setGroup = createRoute({
  method: "patch",
  path: "/{id}",
  summary: "Set a host's group",
  tags: ["hosts"],
  middleware: [admins()] as const,
  request: {
    params: hostIdParam,
    body: jsonBody(z.object({ group: z.string().min(1).max(128).nullable() }).strict()),
  },
  responses: {
    200: jsonContent(HostSummarySchema, "The host"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

export const hostRoutes = newRouter()
  .openapi(list, async (c) => c.json({ items: await listHosts(c.var.db, c.var.principal.orgId) }, 200))
  .openapi(one, async (c) =>
    c.json(await getHost(c.var.db, c.var.principal.orgId, c.req.valid("param").id), 200),
  )
  .openapi(setGroup, async (c) => {
    const { orgId } = c.var.principal;
    const host = await setHostGroup(c.var.db, orgId, c.req.valid("param").id, c.req.valid("json").group);
    await wakeHosts(c.env, [host.id]); // rolling recovery reads the host's group
    return c.json(host, 200);
  })
  .openapi(samples, async (c) => {
    const series = await listSamples(
      c.var.db,
      c.env,
      c.var.principal.orgId,
      c.req.valid("param").id,
      c.req.valid("query"),
    );
    return c.json(series, 200);
  });
