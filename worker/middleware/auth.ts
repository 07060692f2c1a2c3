/**
 * Authentication for every /api route but the public ones, and per-route scope checks.
 * Credentials: `Authorization: Bearer <token>`, else the `selfheal_session` cookie.
 */
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { TokenScope } from "../db/schema";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/errors";
import { actorOf, runAs } from "../services/tenancy/audit";
import { resolveToken } from "../services/tenancy/principal";

export const SESSION_COOKIE = "selfheal_session";

/** Routes reachable without credentials, as "METHOD path". */
const PUBLIC = new Set([
  "GET /api/health",
  "POST /api/v1/session",
  "DELETE /api/v1/session",
  // A host whose agent token was refused: its signed host key proof is the credential.
  "POST /api/v1/agent/refresh",
]);

export function presentedToken(header: string | undefined, cookie: string | undefined): string | null {
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? match[1] : null;
  }
  return cookie ?? null;
}

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  if (PUBLIC.has(`${c.req.method} ${c.req.path}`)) return next();
  const token = presentedToken(c.req.header("authorization"), getCookie(c, SESSION_COOKIE));
  if (!token) throw new ApiError("UNAUTHORIZED", "missing credentials: send Authorization: Bearer <token>");
  const principal = await resolveToken(c.var.db, c.env, token, Date.now());
  if (!principal) throw new ApiError("UNAUTHORIZED", "unknown, expired or revoked token");
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
