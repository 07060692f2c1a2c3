import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { admins, readers } from "../middleware/auth";
import { tellRevoked, wakeHosts } from "../objects/host/stub";
import {
  HostSummarySchema,
  hostIdParam,
  ReEnrollTokenSchema,
  RetiredHostSchema,
  SamplesSchema,
  samplesQuery,
} from "../schemas/hosts";
import { setHostGroup } from "../services/fleet/host-group";
import { getHost, listHosts, listSamples } from "../services/fleet/hosts";
import { retireHost } from "../services/fleet/retire";
import { RE_ENROLL_DEFAULT_S, reEnrollHost } from "../services/ingest/enroll/re-enroll";

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

// The host's group (rolling recovery, channel and maintenance filters); null clears it.
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

const reEnroll = createRoute({
  method: "post",
  path: "/{id}/re-enroll",
  summary:
    "Re-enrol a host: forgets its host key, revokes its agent tokens, and returns a single-use enroll token bound to it (shown once)",
  tags: ["hosts"],
  middleware: [admins()] as const,
  request: {
    params: hostIdParam,
    body: {
      required: false,
      content: {
        "application/json": {
          schema: z
            .object({
              expiresIn: z
                .number()
                .int()
                .min(60)
                .max(30 * 24 * 3600)
                .optional()
                .openapi({ description: `lifetime in seconds (default ${RE_ENROLL_DEFAULT_S})` }),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: jsonContent(ReEnrollTokenSchema, "The host's single-use re-enroll token"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

const retire = createRoute({
  method: "delete",
  path: "/{id}",
  summary:
    "Retire a host: revokes its tokens and forgets its key, resolves its issues, keeps its history for retention; it no longer counts in fleet pages, gates or silence checks (an admin's re-enroll token brings it back)",
  tags: ["hosts"],
  middleware: [admins()] as const,
  request: { params: hostIdParam },
  responses: {
    200: jsonContent(RetiredHostSchema, "The retired host"),
    ...errorResponses("NOT_FOUND", "CONFLICT"),
  },
});

export const hostRoutes = newRouter()
  .openapi(list, async (c) => c.json({ items: await listHosts(c.var.db, c.var.principal.orgId) }, 200))
  .openapi(one, async (c) =>
    c.json(await getHost(c.var.db, c.env, c.var.principal.orgId, c.req.valid("param").id), 200),
  )
  .openapi(setGroup, async (c) => {
    const { orgId } = c.var.principal;
    const host = await setHostGroup(
      c.var.db,
      c.env,
      orgId,
      c.req.valid("param").id,
      c.req.valid("json").group,
    );
    await wakeHosts(c.env, [host.id]); // rolling recovery and the group's overrides (scope/) read the host's group
    return c.json(host, 200);
  })
  .openapi(reEnroll, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json") ?? {};
    const issued = await reEnrollHost(c.var.db, c.var.principal.orgId, id, body.expiresIn);
    await tellRevoked(c.env, c.var.db, { hostId: issued.hostId }); // its agent token, in every isolate
    return c.json(issued, 201);
  })
  .openapi(retire, async (c) => {
    const retired = await retireHost(c.var.db, c.var.principal.orgId, c.req.valid("param").id);
    // its agent token refused in every isolate, and its object's copy of its issues read again
    await tellRevoked(c.env, c.var.db, { hostId: retired.id });
    await wakeHosts(c.env, [retired.id]);
    return c.json(retired, 200);
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
