import { createRoute, z } from "@hono/zod-openapi";
import { commandStatuses } from "../db/schema";
import { errorResponses, idParam, jsonContent, listOf, newRouter } from "../lib/openapi";
import { line } from "../lib/wire";
import { allow, operators } from "../middleware/auth";
import { wakeHosts } from "../objects/host/stub";
import { CommandSchema } from "../schemas/recovery";
import { deliverNotifications } from "../services/notify";
import { runEdgeActions } from "../services/recovery/action-webhooks/run";
import { approveCommand, listCommands, rejectCommand } from "../services/recovery/approvals";

const list = createRoute({
  method: "get",
  path: "/",
  summary: "Commands, newest first (status=awaiting_approval: the ones waiting for a human)",
  tags: ["recovery"],
  middleware: [allow("admin", "operator", "read")] as const,
  request: {
    query: z.object({
      status: z.enum(commandStatuses).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: { 200: jsonContent(listOf(CommandSchema), "Commands"), ...errorResponses("BAD_REQUEST") },
});

const approve = createRoute({
  method: "post",
  path: "/{id}/approve",
  summary: "Approve a command awaiting approval: the agent gets it on its next report",
  tags: ["recovery"],
  middleware: [operators()] as const,
  request: { params: idParam },
  responses: {
    200: jsonContent(CommandSchema, "Approved (now pending)"),
    ...errorResponses("FORBIDDEN", "NOT_FOUND", "CONFLICT"),
  },
});

const reject = createRoute({
  method: "post",
  path: "/{id}/reject",
  summary: "Reject a command awaiting approval: its attempt is refused and the issue escalated",
  tags: ["recovery"],
  middleware: [operators()] as const,
  request: {
    params: idParam,
    body: {
      required: false,
      content: {
        "application/json": { schema: z.object({ reason: line(500).min(1).optional() }).strict() },
      },
    },
  },
  responses: {
    200: jsonContent(CommandSchema, "Rejected"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND", "CONFLICT"),
  },
});

export const commandRoutes = newRouter()
  .openapi(list, async (c) =>
    c.json({ items: await listCommands(c.var.db, c.var.principal, c.req.valid("query")) }, 200),
  )
  .openapi(approve, async (c) => {
    const { command, ...approved } = await approveCommand(c.var.db, c.var.principal, c.req.valid("param").id);
    await wakeHosts(c.env, [approved.hostId], command ? [command] : []); // a waiting agent gets it at once
    c.executionCtx.waitUntil(deliverNotifications(c.env, { linger: true }));
    c.executionCtx.waitUntil(
      runEdgeActions(c.var.db, c.var.principal.orgId, approved.hostId).then(() =>
        wakeHosts(c.env, [approved.hostId]),
      ),
    );
    return c.json(approved, 200);
  })
  .openapi(reject, async (c) => {
    const reason = c.req.valid("json")?.reason ?? "rejected by an operator";
    const rejected = await rejectCommand(c.var.db, c.var.principal, c.req.valid("param").id, reason);
    await wakeHosts(c.env, [rejected.hostId]);
    c.executionCtx.waitUntil(deliverNotifications(c.env, { linger: true }));
    return c.json(rejected, 200);
  });
