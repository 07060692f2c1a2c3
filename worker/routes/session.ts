/** Dashboard sign-in: an admin, operator or read token becomes an HttpOnly, SameSite=Strict cookie. */
import { createRoute, z } from "@hono/zod-openapi";
import { deleteCookie, setCookie } from "hono/cookie";
import { tokenScopes } from "../db/schema";
import { ApiError } from "../lib/errors";
import { errorResponses, jsonBody, jsonContent, newRouter } from "../lib/openapi";
import { readers, SESSION_COOKIE } from "../middleware/auth";
import { resolveToken } from "../services/tenancy/principal";

const SessionSchema = z
  .object({ scope: z.enum(tokenScopes), orgId: z.string(), name: z.string() })
  .openapi("Session");

const signIn = createRoute({
  method: "post",
  path: "/",
  summary: "Sign in with a token: sets the selfheal_session cookie",
  tags: ["session"],
  request: { body: jsonBody(z.object({ token: z.string().min(1).max(256) }).strict()) },
  responses: { 200: jsonContent(SessionSchema, "Signed in"), ...errorResponses("BAD_REQUEST") },
});

const whoAmI = createRoute({
  method: "get",
  path: "/",
  summary: "The current credentials",
  tags: ["session"],
  middleware: [readers()] as const,
  responses: { 200: jsonContent(SessionSchema, "Who is signed in") },
});

const signOut = createRoute({
  method: "delete",
  path: "/",
  summary: "Sign out: clears the cookie (needs no valid credentials)",
  tags: ["session"],
  responses: { 204: { description: "Signed out" } },
});

export const sessionRoutes = newRouter()
  .openapi(signIn, async (c) => {
    const { token } = c.req.valid("json");
    const principal = await resolveToken(c.var.db, c.env, token, Date.now());
    if (!principal) throw new ApiError("UNAUTHORIZED", "unknown, expired or revoked token");
    const dashboardScope = ["admin", "operator", "read"].includes(principal.scope);
    if (principal.platform || !dashboardScope) {
      throw new ApiError("FORBIDDEN", `a ${principal.scope} token cannot sign in to the dashboard`);
    }
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      secure: new URL(c.req.url).protocol === "https:",
    });
    return c.json({ scope: principal.scope, orgId: principal.orgId, name: principal.name }, 200);
  })
  .openapi(whoAmI, (c) => {
    const { scope, orgId, name } = c.var.principal;
    return c.json({ scope, orgId, name }, 200);
  })
  .openapi(signOut, (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.body(null, 204);
  });
