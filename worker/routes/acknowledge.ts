/** POST /api/v1/issues/{id}/acknowledge: "a person has this one". */

import { createRoute } from "@hono/zod-openapi";
import { errorResponses, idParam, jsonContent, newRouter } from "../lib/openapi";
import { operators } from "../middleware/auth";
import { wakeHosts } from "../objects/host/stub";
import { IssueDetailSchema } from "../schemas/issues";
import { acknowledgeIssue } from "../services/acknowledge";
import { deliverNotifications } from "../services/notify";

const acknowledge = createRoute({
  method: "post",
  path: "/{id}/acknowledge",
  summary: "Acknowledge an issue (idempotent: the first acknowledgement is kept); PagerDuty gets acknowledge",
  tags: ["healing"],
  middleware: [operators()] as const,
  request: { params: idParam },
  responses: {
    200: jsonContent(IssueDetailSchema, "The issue, acknowledged"),
    ...errorResponses("NOT_FOUND", "CONFLICT"),
  },
});

export const acknowledgeRoutes = newRouter().openapi(acknowledge, async (c) => {
  const issue = await acknowledgeIssue(c.var.db, c.var.principal, c.req.valid("param").id);
  await wakeHosts(c.env, [issue.hostId]);
  c.executionCtx.waitUntil(deliverNotifications(c.env, { linger: true }));
  return c.json(issue, 200);
});
