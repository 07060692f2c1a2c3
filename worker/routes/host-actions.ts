/** POST /api/v1/hosts/{id}/actions: an emergency protocol run on a host. */

import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonContent, newRouter } from "../lib/openapi";
import { operators } from "../middleware/auth";
import { wakeHosts } from "../objects/host/stub";
import { HostActionRequestSchema, HostActionSchema } from "../schemas/host-actions";
import { hostIdParam } from "../schemas/hosts";
import { deliverNotifications } from "../services/notify";
import { runHostAction } from "../services/recovery/host-actions/run";

const run = createRoute({
  method: "post",
  path: "/{id}/actions",
  summary:
    "Run one of the agent's actions on a host: opens an operator issue that the command's result resolves or escalates",
  tags: ["hosts"],
  middleware: [operators()] as const,
  request: { params: hostIdParam, body: jsonBody(HostActionRequestSchema) },
  responses: {
    202: jsonContent(HostActionSchema, "Queued (or awaiting approval)"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND", "CONFLICT", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

export const hostActionRoutes = newRouter().openapi(run, async (c) => {
  const { command, ...queued } = await runHostAction(
    c.var.db,
    c.var.principal,
    c.req.valid("param").id,
    c.req.valid("json"),
  );
  await wakeHosts(c.env, [queued.hostId], [command]); // a waiting agent gets it at once
  c.executionCtx.waitUntil(deliverNotifications(c.env, { linger: true }));
  return c.json(queued, 202);
});
