/**
 * The dashboard's session: sign in with a token (exchanged for a server session: the cookie
 * holds the session's random secret, never the token), ask whether a session exists, sign out
 * (which ends the session on the server), and a person's own sessions.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv, Principal } from "../env";
import { ApiError } from "../lib/errors";
import { errorResponses, jsonBody, jsonContent, newRouter } from "../lib/openapi";
import { clearSessionCookie, sessionSecret, setSessionCookie } from "../middleware/session-cookie";
import { orgEvents } from "../objects/org-events/stub";
import { SessionStateSchema, StartedSessionSchema } from "../schemas/accounts";
import { accessConfig, accessMember, verifyAccessAssertion } from "../services/tenancy/access";
import { oidcConfig } from "../services/tenancy/oidc-client";
import { adminTokenHash, resolveToken } from "../services/tenancy/principal";
import { endSession, newSession } from "../services/tenancy/sessions";

const signIn = createRoute({
  method: "post",
  path: "/",
  summary: "Sign in with an admin, operator or read token: starts a server session (cookie)",
  tags: ["session"],
  request: { body: jsonBody(z.object({ token: z.string().min(1).max(256) }).strict()) },
  responses: {
    200: jsonContent(StartedSessionSchema, "Signed in"),
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN"),
  },
});

const signInWithAccess = createRoute({
  method: "post",
  path: "/access",
  summary:
    "Sign in through Cloudflare Access: the Cf-Access-Jwt-Assertion header names a person with an account (their first org, or orgId)",
  tags: ["session"],
  request: { body: jsonBody(z.object({ orgId: z.string().min(1).max(64).optional() }).strict()) },
  responses: {
    200: jsonContent(StartedSessionSchema, "Signed in"),
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND"),
  },
});

const whoAmI = createRoute({
  method: "get",
  path: "/",
  summary: "Whether a session exists, and whose (answers without credentials too)",
  tags: ["session"],
  responses: { 200: jsonContent(SessionStateSchema, "The session, or signedIn: false") },
});

const signOut = createRoute({
  method: "delete",
  path: "/",
  summary: "Sign out: ends the session on the server and clears the cookie",
  tags: ["session"],
  responses: { 204: { description: "Signed out" } },
});

export const sessionView = (p: Principal) => ({
  signedIn: true as const,
  scope: p.scope,
  orgId: p.orgId,
  name: p.name,
  userId: p.userId ?? null,
  sessionId: p.sessionId ?? null,
});

/** Starts a session for `owner` and sets its cookie; returns the principal it stands for. */
export async function startSession(c: Context<AppEnv>, owner: Parameters<typeof newSession>[1], now: number) {
  // made from the environment's admin token (neither a person nor a token): remember which one
  const fromEnvAdmin = owner.userId === null && owner.tokenId === null;
  const adminHash = fromEnvAdmin ? await adminTokenHash(c.env) : null;
  const session = await newSession(
    c.var.db,
    { ...owner, adminTokenHash: adminHash, userAgent: c.req.header("user-agent") },
    now,
  );
  return { session, cookie: () => setSessionCookie(c, session.secret, session.expiresAt) };
}

export const sessionRoutes = newRouter()
  .openapi(signIn, async (c) => {
    const { token } = c.req.valid("json");
    const principal = await resolveToken(c.var.db, c.env, token, Date.now());
    if (!principal) throw new ApiError("UNAUTHORIZED", "unknown, expired or revoked token");
    const dashboardScope = ["admin", "operator", "read"].includes(principal.scope);
    if (principal.platform || !dashboardScope) {
      throw new ApiError("FORBIDDEN", `a ${principal.scope} token cannot sign in to the dashboard`);
    }
    const now = Date.now();
    const { orgId, tokenId, scope, name } = principal;
    const { session, cookie } = await startSession(c, { orgId, userId: null, tokenId, scope, name }, now);
    await session.insert;
    cookie();
    const view = sessionView({ ...principal, sessionId: session.id });
    return c.json({ ...view, expiresAt: new Date(session.expiresAt).toISOString() }, 200);
  })
  .openapi(signInWithAccess, async (c) => {
    const cfg = accessConfig(c.env);
    if (!cfg)
      throw new ApiError(
        "NOT_FOUND",
        "Cloudflare Access is not configured (SELFHEAL_ACCESS_TEAM_DOMAIN, SELFHEAL_ACCESS_AUD)",
      );
    const assertion = c.req.header("cf-access-jwt-assertion");
    if (!assertion)
      throw new ApiError(
        "UNAUTHORIZED",
        "no Cf-Access-Jwt-Assertion: is the dashboard behind Cloudflare Access?",
      );
    const now = Date.now();
    const email = await verifyAccessAssertion(cfg, assertion, now);
    const member = await accessMember(c.var.db, email, c.req.valid("json").orgId);
    const owner = {
      orgId: member.orgId,
      userId: member.userId,
      tokenId: null,
      scope: member.role,
      name: member.name,
    };
    const { session, cookie } = await startSession(c, owner, now);
    await session.insert;
    cookie();
    const view = sessionView({ ...owner, hostId: null, sessionId: session.id });
    return c.json({ ...view, expiresAt: new Date(session.expiresAt).toISOString() }, 200);
  })
  .openapi(whoAmI, (c) => {
    const principal = c.get("principal");
    if (!principal) {
      if (sessionSecret(c) !== undefined) clearSessionCookie(c); // an ended session's cookie
      const oidc = oidcConfig(c.env);
      const methods = [
        ...(oidc ? (["oidc"] as const) : []),
        ...(accessConfig(c.env) ? (["access"] as const) : []),
        // any person may have a passkey, whatever else is configured
        "passkey" as const,
        "token" as const,
      ];
      return c.json({ signedIn: false as const, methods, ...(oidc && { oidcName: oidc.name }) }, 200);
    }
    return c.json(sessionView(principal), 200);
  })
  .openapi(signOut, async (c) => {
    const secret = sessionSecret(c);
    const ended = secret ? await endSession(c.var.db, secret) : null;
    if (ended) await orgEvents(c.env, ended.orgId).sessionsEnded([ended.id]);
    clearSessionCookie(c);
    return c.body(null, 204);
  });
