/** Notification channels and their delivery log. */
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, idParam, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { admins, operators, readers } from "../middleware/auth";
import {
  ChannelPatchSchema,
  ChannelSchema,
  DeliverySchema,
  deliveriesQuery,
  NewChannelSchema,
} from "../schemas/channels";
import {
  createChannel,
  deleteChannel,
  getChannel,
  listChannels,
  listDeliveries,
  testChannel,
  updateChannel,
} from "../services/notify/channel-store";

const tags = ["notifications"];
const create = createRoute({
  method: "post",
  path: "/channels",
  summary: "Add a channel: Slack, PagerDuty, signed webhook, email, Teams, Discord, Telegram or Opsgenie",
  tags,
  middleware: [admins()] as const,
  request: { body: jsonBody(NewChannelSchema) },
  responses: {
    201: jsonContent(ChannelSchema, "The channel (secrets masked)"),
    ...errorResponses("BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE"),
  },
});
const list = createRoute({
  method: "get",
  path: "/channels",
  summary: "Every channel of the org",
  tags,
  middleware: [readers()] as const,
  responses: { 200: jsonContent(listOf(ChannelSchema), "Channels by name") },
});
const one = createRoute({
  method: "get",
  path: "/channels/{id}",
  summary: "One channel",
  tags,
  middleware: [readers()] as const,
  request: { params: idParam },
  responses: { 200: jsonContent(ChannelSchema, "The channel"), ...errorResponses("NOT_FOUND") },
});
const patch = createRoute({
  method: "patch",
  path: "/channels/{id}",
  summary: "Change a channel (secrets are replaced, never shown)",
  tags,
  middleware: [admins()] as const,
  request: { params: idParam, body: jsonBody(ChannelPatchSchema) },
  responses: {
    200: jsonContent(ChannelSchema, "The channel"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND", "UNSUPPORTED_MEDIA_TYPE"),
  },
});
const remove = createRoute({
  method: "delete",
  path: "/channels/{id}",
  summary: "Remove a channel; its pending deliveries are skipped",
  tags,
  middleware: [admins()] as const,
  request: { params: idParam },
  responses: {
    200: jsonContent(z.object({ id: z.string(), deleted: z.literal(true) }), "Removed"),
    ...errorResponses("NOT_FOUND"),
  },
});
const test = createRoute({
  method: "post",
  path: "/channels/{id}/test",
  summary: "Send a test message now (at most 5 a minute per channel); the answer is its delivery record",
  tags,
  middleware: [operators()] as const,
  request: { params: idParam },
  responses: {
    200: jsonContent(DeliverySchema, "The test delivery"),
    ...errorResponses("NOT_FOUND", "RATE_LIMITED"),
  },
});
const log = createRoute({
  method: "get",
  path: "/deliveries",
  summary: "The delivery log, newest first",
  tags,
  middleware: [readers()] as const,
  request: { query: deliveriesQuery },
  responses: { 200: jsonContent(listOf(DeliverySchema), "Deliveries"), ...errorResponses("BAD_REQUEST") },
});

export const channelRoutes = newRouter()
  .openapi(create, async (c) =>
    c.json(await createChannel(c.var.db, c.var.principal.orgId, c.req.valid("json")), 201),
  )
  .openapi(list, async (c) => c.json({ items: await listChannels(c.var.db, c.var.principal.orgId) }, 200))
  .openapi(one, async (c) =>
    c.json(await getChannel(c.var.db, c.var.principal.orgId, c.req.valid("param").id), 200),
  )
  .openapi(patch, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await updateChannel(c.var.db, c.var.principal.orgId, id, c.req.valid("json")), 200);
  })
  .openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    await deleteChannel(c.var.db, c.var.principal.orgId, id);
    return c.json({ id, deleted: true as const }, 200);
  })
  .openapi(test, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await testChannel(c.var.db, c.env, c.var.principal.orgId, id), 200);
  })
  .openapi(log, async (c) =>
    c.json({ items: await listDeliveries(c.var.db, c.var.principal.orgId, c.req.valid("query")) }, 200),
  );
