import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { admins, readers } from "../middleware/auth";
import { ActionWebhookSchema, webhookNameParam } from "../schemas/recovery";
import { deleteHook, listHooks, putHook } from "../services/recovery/action-webhooks/store";

const put = createRoute({
  method: "put",
  path: "/{name}",
  summary: "Create or replace the action webhook that the rule action webhook:<name> calls",
  tags: ["recovery"],
  middleware: [admins()] as const,
  request: {
    params: webhookNameParam,
    body: jsonBody(
      z
        .object({
          url: z.url({ protocol: /^https?$/ }),
          secret: z.string().min(16).max(256).nullable().optional(),
          timeoutMs: z.number().int().min(100).max(30_000).optional(),
        })
        .strict(),
    ),
  },
  responses: {
    200: jsonContent(ActionWebhookSchema, "The webhook (its secret is never returned)"),
    ...errorResponses("BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

const list = createRoute({
  method: "get",
  path: "/",
  summary: "The org's action webhooks",
  tags: ["recovery"],
  middleware: [readers()] as const,
  responses: { 200: jsonContent(listOf(ActionWebhookSchema), "Webhooks by name") },
});

const remove = createRoute({
  method: "delete",
  path: "/{name}",
  summary: "Delete an action webhook",
  tags: ["recovery"],
  middleware: [admins()] as const,
  request: { params: webhookNameParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses("NOT_FOUND") },
});

export const actionWebhookRoutes = newRouter()
  .openapi(put, async (c) =>
    c.json(
      await putHook(c.var.db, c.var.principal.orgId, c.req.valid("param").name, c.req.valid("json")),
      200,
    ),
  )
  .openapi(list, async (c) => c.json({ items: await listHooks(c.var.db, c.var.principal.orgId) }, 200))
  .openapi(remove, async (c) => {
    await deleteHook(c.var.db, c.var.principal.orgId, c.req.valid("param").name);
    return c.body(null, 204);
  });
