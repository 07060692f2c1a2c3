/**
 * Authentication for every /api route but the public ones, and per-route scope checks.
 * Credentials: `Authorization: Bearer <token>`, else the dashboard's session cookie.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { TokenScope } from "../db/schema";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/errors";
import { actorOf, runAs } from "../services/tenancy/audit";
import { resolveToken } from "../services/tenancy/principal";
import { resolveSession } from "../services/tenancy/sessions";
import { sessionSecret } from "./session-cookie";

/** Routes reachable without credentials, as "METHOD path". */
const PUBLIC = new Set([
  "GET /api/health",
  // The API docs page: the document it loads still needs a reader.
  "GET /api/docs",
  "POST /api/v1/session",
  "DELETE /api/v1/session",
  "POST /api/v1/session/access",
  "POST /api/v1/session/oidc",
  // The identity provider's redirect back: the state cookie and the code are its credentials.
  "GET /api/v1/session/oidc/callback",
  "POST /api/v1/invitations/accept",
  "POST /api/v1/passkeys/sign-in/options",
  "POST /api/v1/passkeys/sign-in",
  // A host whose agent token was refused: its signed host key proof is the credential.
  "POST /api/v1/agent/refresh",
]);
/** Routes that answer without credentials too, but use them when they are valid. */
const OPTIONAL = new Set(["GET /api/v1/session"]);

export function bearerToken(header: string | undefined): string | null {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/** The caller's principal: from the Authorization header when there is one, else the session cookie. */
async function principalOf(c: Context<AppEnv>) {
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const token = bearerToken(header);
    if (!token)
      throw new ApiError("UNAUTHORIZED", "malformed credentials: send Authorization: Bearer <token>");
    const principal = await resolveToken(c.get("db"), c.env, token, Date.now());
    if (!principal) throw new ApiError("UNAUTHORIZED", "unknown, expired or revoked token");
    return principal;
  }
  const secret = sessionSecret(c);
  if (secret === undefined) return null;
  const principal = await resolveSession(c.var.db, c.env, secret, Date.now());
  if (!principal) throw new ApiError("UNAUTHORIZED", "the session has ended: sign in again");
  return principal;
}

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const route = `${c.req.method} ${c.req.path}`;
  if (PUBLIC.has(route)) return next();
  if (OPTIONAL.has(route) && c.req.header("authorization") === undefined) {
    const secret = sessionSecret(c);
    const principal = secret ? await resolveSession(c.var.db, c.env, secret, Date.now()) : null;
    if (principal) c.set("principal", principal);
    return principal ? runAs(actorOf(principal), next) : next();
  }
  const principal = await principalOf(c);
  if (!principal)
    throw new ApiError("UNAUTHORIZED", "missing credentials: send Authorization: Bearer <token>");
  // The platform token manages orgs and nothing else; org tokens never manage orgs.
  const orgsRoute = c.req.path === "/api/v1/orgs" || c.req.path.startsWith("/api/v1/orgs/");
  if (Boolean(principal.platform) !== orgsRoute) {
    throw new ApiError(
      "FORBIDDEN",
      orgsRoute ? "only the platform token manages orgs" : "the platform token can only manage orgs",
    );
  }
  c.set("principal", principal);
  await runAs(actorOf(principal), next);
});

/** Route middleware: only these scopes may call the route. */
export function allow(...scopes: TokenScope[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const principal = c.get("principal");
    if (!principal) throw new ApiError("UNAUTHORIZED", "missing credentials");
    if (principal.platform || !scopes.includes(principal.scope)) {
      throw new ApiError(
        "FORBIDDEN",
        `a ${principal.scope} token cannot call this route (needs ${scopes.join(" or ")})`,
      );
    }
    await next();
  });
}

// Operators watch what they act on, so they read everything a read token does.
export const readers = () => allow("admin", "operator", "read");
export const admins = () => allow("admin");
/** Approve/reject commands and run recoveries: admins and the operator scope. */
export const operators = () => allow("admin", "operator");

/** Org management: only SELFHEAL_PLATFORM_TOKEN. */
export const platformAdmins = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!c.get("principal")?.platform)
      throw new ApiError("FORBIDDEN", "only the platform token manages orgs");
    await next();
  });
