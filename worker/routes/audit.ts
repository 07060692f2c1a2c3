/** The audit log, read-only: there is deliberately no route that writes or deletes entries. */
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonContent, newRouter } from "../lib/openapi";
import { admins } from "../middleware/auth";
import { AuditEntrySchema } from "../schemas/tenancy";
import { CURSOR_PATTERN, listAudit } from "../services/tenancy/audit";

const instant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

const list = createRoute({
  method: "get",
  path: "/",
  summary: "The org's audit log, newest first (admin)",
  tags: ["audit"],
  middleware: [admins()] as const,
  request: {
    query: z
      .object({
        action: z
          .string()
          .regex(/^[a-z_]+(\.[a-z_-]+)?$/, "a target type (token) or an action (token.create)")
          .optional(),
        target: z.string().min(1).max(128).optional(),
        actor: z
          .string()
          .min(1)
          .max(64)
          .optional()
          .openapi({ description: "the acting token's id, or the acting person's (usr_…)" }),
        from: instant.optional(),
        to: instant.optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().regex(CURSOR_PATTERN, "a nextCursor from the previous page").optional(),
      })
      .strict(),
  },
  responses: {
    200: jsonContent(
      z.object({ items: z.array(AuditEntrySchema), nextCursor: z.string().nullable() }),
      "One page of entries; pass nextCursor back as cursor for the next",
    ),
    ...errorResponses("BAD_REQUEST"),
  },
});

export const auditRoutes = newRouter().openapi(list, async (c) => {
  const q = c.req.valid("query");
  const page = await listAudit(c.var.db, c.var.principal.orgId, {
    action: q.action,
    targetId: q.target,
    ...(q.actor?.startsWith("usr_") ? { actorUserId: q.actor } : { actorTokenId: q.actor }),
    from: q.from,
    to: q.to,
    limit: q.limit,
    cursor: q.cursor,
  });
  return c.json(page, 200);
});
