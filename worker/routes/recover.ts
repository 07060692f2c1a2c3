import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonContent, newRouter } from "../lib/openapi";
import { operators } from "../middleware/auth";
import { wakeHosts } from "../objects/host/stub";
import { RecoverRequestSchema, RecoverResponseSchema } from "../schemas/healing";
import { deliverNotifications } from "../services/notify";
import { runEdgeActions } from "../services/recovery/action-webhooks/run";
import { manualRecover } from "../services/recovery/manual-recover";

const recover = createRoute({
  method: "post",
  path: "/recover",
  summary: "Run (or approve) a recovery action for an issue; the agent picks it up on its next report",
  tags: ["healing"],
  middleware: [operators()] as const, // operators run recoveries too
  request: { body: jsonBody(RecoverRequestSchema) },
  responses: {
    202: jsonContent(RecoverResponseSchema, "Queued, approved, or awaiting approval as the policy says"),
    ...errorResponses("BAD_REQUEST", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

export const recoverRoutes = newRouter().openapi(recover, async (c) => {
  const { issue_id, action } = c.req.valid("json");
  const { command, ...queued } = await manualRecover(c.var.db, c.var.principal, issue_id, action);
  await wakeHosts(c.env, [queued.hostId], command ? [command] : []); // a waiting agent gets it at once
  c.executionCtx.waitUntil(deliverNotifications(c.env, { linger: true }));
  c.executionCtx.waitUntil(
    runEdgeActions(c.var.db, c.var.principal.orgId, queued.hostId).then(() =>
      wakeHosts(c.env, [queued.hostId]),
    ),
  ); // webhook: actions
  return c.json(queued, 202);
});
