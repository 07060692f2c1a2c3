/**
 * Cross-site request forgery: a state change carried by the session cookie must come from the
 * dashboard's own origin. SameSite=Strict stops other sites but not other origins of the same
 * site (a sibling subdomain), and a bodiless or text/plain POST needs no CORS preflight.
 *
 * Checked: every POST/PUT/PATCH/DELETE under /api without an Authorization header that carries
 * the session cookie, and sign-in/sign-out and accepting an invitation themselves (so no page can sign a browser in to
 * someone else's org). The request's Origin decides; without one, Sec-Fetch-Site, then Referer.
 * A request with none of them comes from no browser (they all send Origin on these methods),
 * so it cannot be forged by a page and is let through. Bearer-token callers are never checked.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/errors";
import { sessionSecret } from "./session-cookie";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
/** Requests that set or end a session: checked with or without a cookie. */
const SIGN_IN_PATHS = new Set([
  "/api/v1/session",
  "/api/v1/session/access",
  "/api/v1/session/oidc",
  "/api/v1/invitations/accept",
  "/api/v1/passkeys/sign-in",
]);

const originOfUrl = (url: string | undefined) => {
  try {
    return url ? new URL(url).origin : null;
  } catch {
    return null;
  }
};

/** Where a request says it comes from: its origin, "same-origin", or null when it says nothing. */
function claimedOrigin(header: (name: string) => string | undefined): string | null {
  const origin = header("origin");
  if (origin !== undefined) return origin;
  const site = header("sec-fetch-site");
  // "same-origin" passes; "same-site", "cross-site" and "none" never match an origin.
  if (site !== undefined) return site;
  const referer = header("referer");
  return referer !== undefined ? (originOfUrl(referer) ?? "unreadable referer") : null;
}

export const sameOriginWrites = createMiddleware<AppEnv>(async (c, next) => {
  if (SAFE.has(c.req.method) || c.req.header("authorization") !== undefined) return next();
  const session = SIGN_IN_PATHS.has(c.req.path);
  if (!session && sessionSecret(c) === undefined) return next();
  const claimed = claimedOrigin((name) => c.req.header(name));
  if (claimed === null || claimed === "same-origin") return next();
  // The dashboard's own origin: where this request was sent, or the configured public URL.
  const own = [new URL(c.req.url).origin, originOfUrl(c.env.SELFHEAL_PUBLIC_URL)];
  if (own.includes(claimed)) return next();
  throw new ApiError(
    "FORBIDDEN",
    "cross-origin request refused: a change made with the session cookie must come from the dashboard",
  );
});
