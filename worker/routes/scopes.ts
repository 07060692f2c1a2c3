/**
 * Thresholds and rules per host group and per host, over the org's: the overrides themselves,
 * and what is in force on one host with the level that set each value.
 */
import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { admins, readers } from "../middleware/auth";
import { hostIdParam } from "../schemas/hosts";
import { EffectiveConfigSchema, ScopeOverridesSchema, scopeBodySchema, scopeParams } from "../schemas/scope";
import { hostEffectiveConfig } from "../services/config/scope/effective";
import { deleteScope, listScopes, putScope } from "../services/config/scope/store";

const tags = ["rules"];

const list = createRoute({
  method: "get",
  path: "/scopes",
  summary: "Overrides of thresholds and rules per host group and per host",
  tags,
  middleware: [readers()] as const,
  responses: { 200: jsonContent(listOf(ScopeOverridesSchema), "Overrides, groups first") },
});

const put = createRoute({
  method: "put",
  path: "/scopes/{kind}/{key}",
  summary:
    "Set (replace) a group's or a host's overrides; the host's win over its group's, which win over the org's",
  tags,
  middleware: [admins()] as const,
  request: { params: scopeParams, body: jsonBody(scopeBodySchema) },
  responses: {
    200: jsonContent(ScopeOverridesSchema, "The overrides"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

const remove = createRoute({
  method: "delete",
  path: "/scopes/{kind}/{key}",
  summary: "Remove a group's or a host's overrides: the org's settings apply again",
  tags,
  middleware: [admins()] as const,
  request: { params: scopeParams },
  responses: { 204: { description: "Removed" }, ...errorResponses("BAD_REQUEST", "NOT_FOUND") },
});

const effective = createRoute({
  method: "get",
  path: "/hosts/{id}/effective-config",
  summary: "The thresholds and rules in force on a host, each with the level that set it",
  tags: ["hosts"],
  middleware: [readers()] as const,
  request: { params: hostIdParam },
  responses: {
    200: jsonContent(EffectiveConfigSchema, "In force on the host"),
    ...errorResponses("NOT_FOUND"),
  },
});

export const scopeRoutes = newRouter()
  .openapi(list, async (c) => c.json({ items: await listScopes(c.var.db, c.var.principal.orgId) }, 200))
  .openapi(put, async (c) => {
    const { kind, key } = c.req.valid("param");
    return c.json(await putScope(c.var.db, c.var.principal.orgId, kind, key, c.req.valid("json")), 200);
  })
  .openapi(remove, async (c) => {
    const { kind, key } = c.req.valid("param");
    await deleteScope(c.var.db, c.var.principal.orgId, kind, key);
    return c.body(null, 204);
  })
  .openapi(effective, async (c) =>
    c.json(await hostEffectiveConfig(c.var.db, c.var.principal.orgId, c.req.valid("param").id), 200),
  );
