/** POST /api/v1/issues/{id}/reset-guardrail: an admin lets the engine try again after a breaker or crash loop. */
import { createRoute } from "@hono/zod-openapi";
import { errorResponses, idParam, jsonContent, newRouter } from "../lib/openapi";
import { admins } from "../middleware/auth";
import { wakeHosts } from "../objects/host/stub";
import { IssueDetailSchema } from "../schemas/issues";
import { resetGuardrail } from "../services/recovery/guardrail-reset";

const reset = createRoute({
  method: "post",
  path: "/{id}/reset-guardrail",
  summary:
    "Reset the circuit breaker or crash-loop hold that escalated this issue (audited): earlier failures stop counting and the issue reopens for the engine",
  tags: ["healing"],
  middleware: [admins()] as const,
  request: { params: idParam },
  responses: {
    200: jsonContent(IssueDetailSchema, "The issue, open again"),
    ...errorResponses("NOT_FOUND", "CONFLICT"),
  },
});

export const guardrailResetRoutes = newRouter().openapi(reset, async (c) => {
  const { hostId, issue } = await resetGuardrail(c.var.db, c.var.principal, c.req.valid("param").id);
  await wakeHosts(c.env, [hostId]); // the host's object reads the issue again
  return c.json(issue, 200);
});
