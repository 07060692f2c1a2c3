import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, idParam, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { admins, readers } from "../middleware/auth";
import {
  BacktestRequestSchema,
  BacktestSchema,
  RuleDeletedSchema,
  RuleViewSchema,
  ruleBodySchema,
} from "../schemas/rules";
import { parseRuleBody } from "../schemas/seed-rules";
import { actionWebhookNames } from "../services/recovery/action-webhooks/store";
import { backtest } from "../services/rules/backtest";
import {
  createRules,
  deleteRule,
  getRule,
  listRules,
  patchRule,
  replaceRule,
  setRuleEnabled,
} from "../services/rules/store";

const tags = ["rules"];

const list = createRoute({
  method: "get",
  path: "/",
  summary: "Built-in rules (from the thresholds, with overrides) and custom rules",
  tags,
  middleware: [readers()] as const,
  responses: { 200: jsonContent(listOf(RuleViewSchema), "Rules, built-ins first") },
});

const create = createRoute({
  method: "post",
  path: "/",
  summary: "Create one rule, or several in the seed's diagnostic_rules shape (all or nothing)",
  tags,
  middleware: [admins()] as const,
  request: { body: jsonBody(ruleBodySchema) },
  responses: {
    201: jsonContent(listOf(RuleViewSchema), "The rules created"),
    ...errorResponses("BAD_REQUEST", "CONFLICT", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

const runBacktest = createRoute({
  method: "post",
  path: "/backtest",
  summary: "Run a rule over a host's stored samples: when it would have fired, and for how long",
  tags,
  middleware: [readers()] as const,
  request: { body: jsonBody(BacktestRequestSchema) },
  responses: {
    200: jsonContent(BacktestSchema, "Firings, oldest first"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

const byIdErrors = errorResponses("BAD_REQUEST", "NOT_FOUND", "CONFLICT", "UNSUPPORTED_MEDIA_TYPE");
const ruleFields = jsonBody(z.looseObject({}).openapi({ description: "camelCase Rule fields" }));

const one = createRoute({
  method: "get",
  path: "/{id}",
  summary: "One rule",
  tags,
  middleware: [readers()] as const,
  request: { params: idParam },
  responses: { 200: jsonContent(RuleViewSchema, "The rule"), ...errorResponses("NOT_FOUND") },
});

const replace = createRoute({
  method: "put",
  path: "/{id}",
  summary: "Replace a rule (a built-in keeps its id and becomes overridden)",
  tags,
  middleware: [admins()] as const,
  request: { params: idParam, body: ruleFields },
  responses: { 200: jsonContent(RuleViewSchema, "The rule"), ...byIdErrors },
});

const patch = createRoute({
  method: "patch",
  path: "/{id}",
  summary: "Change some fields of a rule (validated as a whole)",
  tags,
  middleware: [admins()] as const,
  request: { params: idParam, body: ruleFields },
  responses: { 200: jsonContent(RuleViewSchema, "The rule"), ...byIdErrors },
});

const remove = createRoute({
  method: "delete",
  path: "/{id}",
  summary: "Delete a custom rule, or drop a built-in's override (restoring the default)",
  tags,
  middleware: [admins()] as const,
  request: { params: idParam },
  responses: { 200: jsonContent(RuleDeletedSchema, "Deleted or restored"), ...byIdErrors },
});

const toggle = (path: "/{id}/enable" | "/{id}/disable") =>
  createRoute({
    method: "post",
    path,
    summary: path.endsWith("enable") ? "Enable a rule" : "Disable a rule (built-ins too)",
    tags,
    middleware: [admins()] as const,
    request: { params: idParam },
    responses: { 200: jsonContent(RuleViewSchema, "The rule"), ...errorResponses("NOT_FOUND") },
  });

const org = (c: { var: { principal: { orgId: string } } }) => c.var.principal.orgId;

export const ruleRoutes = newRouter()
  .openapi(list, async (c) => c.json({ items: await listRules(c.var.db, org(c)) }, 200))
  .openapi(create, async (c) => {
    const input = parseRuleBody(c.req.valid("json"), await actionWebhookNames(c.var.db, org(c)));
    return c.json({ items: await createRules(c.var.db, org(c), input) }, 201);
  })
  .openapi(runBacktest, async (c) =>
    c.json(await backtest(c.var.db, c.env, org(c), c.req.valid("json")), 200),
  )
  .openapi(one, async (c) => c.json(await getRule(c.var.db, org(c), c.req.valid("param").id), 200))
  .openapi(replace, async (c) =>
    c.json(await replaceRule(c.var.db, org(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(patch, async (c) =>
    c.json(await patchRule(c.var.db, org(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(remove, async (c) => c.json(await deleteRule(c.var.db, org(c), c.req.valid("param").id), 200))
  .openapi(toggle("/{id}/enable"), async (c) =>
    c.json(await setRuleEnabled(c.var.db, org(c), c.req.valid("param").id, true), 200),
  )
  .openapi(toggle("/{id}/disable"), async (c) =>
    c.json(await setRuleEnabled(c.var.db, org(c), c.req.valid("param").id, false), 200),
  );
