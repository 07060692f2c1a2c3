/** The caller's own sessions: where they are signed in, and ending any of them. */
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, idParam, jsonContent, listOf, newRouter } from "../lib/openapi";
import { readers } from "../middleware/auth";
import { orgEvents } from "../objects/org-events/stub";
import { MySessionSchema } from "../schemas/accounts";
import { listSessions, revokeSession } from "../services/tenancy/sessions";

const isoTime = z.string().openapi({ format: "date-time" });

const list = createRoute({
  method: "get",
  path: "/sessions",
  summary: "My live sessions: a person's in every org; a token's, those signed in with it",
  tags: ["session"],
  middleware: [readers()] as const,
  responses: { 200: jsonContent(listOf(MySessionSchema), "Live sessions, most recently used first") },
});

const revoke = createRoute({
  method: "delete",
  path: "/sessions/{id}",
  summary: "End one of my sessions (sign out that browser)",
  tags: ["session"],
  middleware: [readers()] as const,
  request: { params: idParam },
  responses: {
    200: jsonContent(z.object({ id: z.string(), revokedAt: isoTime }), "Ended"),
    ...errorResponses("NOT_FOUND"),
  },
});

export const meRoutes = newRouter()
  .openapi(list, async (c) => c.json({ items: await listSessions(c.var.db, c.var.principal) }, 200))
  .openapi(revoke, async (c) => {
    const { id, orgId, revokedAt } = await revokeSession(c.var.db, c.var.principal, c.req.valid("param").id);
    await orgEvents(c.env, orgId).sessionsEnded([id]);
    return c.json({ id, revokedAt }, 200);
  });
