/**
 * POST /api/v1/issues/{id}/acknowledge: "a person has this one".
 * POST /api/v1/issues/{id}/close: a person closes an operator action's issue that ended refused or failed.
 */

import { createRoute } from "@hono/zod-openapi";
import { errorResponses, idParam, jsonBody, jsonContent, newRouter } from "../lib/openapi";
import { operators } from "../middleware/auth";
import { wakeHosts } from "../objects/host/stub";
import { CloseIssueRequestSchema, IssueDetailSchema } from "../schemas/issues";
import { acknowledgeIssue } from "../services/issues/acknowledge";
import { deliverNotifications } from "../services/notify";
import { closeOperatorIssue } from "../services/recovery/host-actions/close";

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

const close = createRoute({
  method: "post",
  path: "/{id}/close",
  summary: "Close an operator action's issue that ended refused or failed, with a reason (audited)",
  tags: ["healing"],
  middleware: [operators()] as const,
  request: { params: idParam, body: jsonBody(CloseIssueRequestSchema) },
  responses: {
    200: jsonContent(IssueDetailSchema, "The issue, resolved, with evidence.closed"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND", "CONFLICT", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

export const acknowledgeRoutes = newRouter()
  .openapi(acknowledge, async (c) => {
    const issue = await acknowledgeIssue(c.var.db, c.var.principal, c.req.valid("param").id);
    await wakeHosts(c.env, [issue.hostId]);
    c.executionCtx.waitUntil(deliverNotifications(c.env, { linger: true }));
    return c.json(issue, 200);
  })
  .openapi(close, async (c) => {
    const { db, principal } = c.var;
    const issue = await closeOperatorIssue(
      db,
      principal,
      c.req.valid("param").id,
      c.req.valid("json").reason,
    );
    await wakeHosts(c.env, [issue.hostId]);
    c.executionCtx.waitUntil(deliverNotifications(c.env, { linger: true }));
    return c.json(issue, 200);
  });
