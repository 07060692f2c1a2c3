/** The org's people (admin): list, change a role, remove; invitation links to bring them in. */
import { createRoute, z } from "@hono/zod-openapi";
import { roles } from "../db/schema";
import { errorResponses, idParam, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { admins } from "../middleware/auth";
import { orgEvents } from "../objects/org-events/stub";
import { type Member, MemberSchema } from "../schemas/accounts";
import { listMembers, removeMember, setRole } from "../services/tenancy/members";

const list = createRoute({
  method: "get",
  path: "/",
  summary: "The org's people and their roles (admin)",
  tags: ["users"],
  middleware: [admins()] as const,
  responses: { 200: jsonContent(listOf(MemberSchema), "Members, by name") },
});

const update = createRoute({
  method: "patch",
  path: "/{id}",
  summary: "Change a member's role (admin); the last admin cannot be demoted",
  tags: ["users"],
  middleware: [admins()] as const,
  request: { params: idParam, body: jsonBody(z.object({ role: z.enum(roles) }).strict()) },
  responses: {
    200: jsonContent(MemberSchema, "The member"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND", "CONFLICT"),
  },
});

const remove = createRoute({
  method: "delete",
  path: "/{id}",
  summary: "Remove a member from the org: ends their sessions and revokes their tokens in it (admin)",
  tags: ["users"],
  middleware: [admins()] as const,
  request: { params: idParam },
  responses: { 204: { description: "Removed" }, ...errorResponses("NOT_FOUND", "CONFLICT") },
});

export const userRoutes = newRouter()
  .openapi(list, async (c) => c.json({ items: await listMembers(c.var.db, c.var.principal.orgId) }, 200))
  .openapi(update, async (c) => {
    const member = await setRole(
      c.var.db,
      c.var.principal.orgId,
      c.req.valid("param").id,
      c.req.valid("json").role,
    );
    return c.json(member as Member, 200);
  })
  .openapi(remove, async (c) => {
    const { orgId } = c.var.principal;
    const ended = await removeMember(c.var.db, orgId, c.req.valid("param").id);
    const events = orgEvents(c.env, orgId);
    await events.sessionsEnded(ended.sessions);
    // dashboards signed in with the person's tokens stop hearing the org too
    for (const tokenId of ended.tokens) await events.tokenRevoked(tokenId);
    return c.body(null, 204);
  });
