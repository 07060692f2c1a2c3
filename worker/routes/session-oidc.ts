/**
 * Sign-in through an OpenID Connect provider: the dashboard asks where to send the browser (and
 * gets a short-lived state cookie), the provider sends the browser back to the callback, which
 * starts the server session and returns to the dashboard.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../env";
import { ApiError, type ErrorCode } from "../lib/errors";
import { errorResponses, jsonBody, jsonContent, newRouter } from "../lib/openapi";
import { setSessionCookie } from "../middleware/session-cookie";
import type { SignInFailedParam, SignInFailure } from "../schemas/accounts";
import { finishOidcSignIn, startOidcSignIn } from "../services/tenancy/oidc";
import { oidcConfig } from "../services/tenancy/oidc-client";

const STATE_COOKIE = "selfheal_oidc";
const secure = (c: Context) => new URL(c.req.url).protocol === "https:";
/** Over https the `__Host-` prefix: Secure, Path=/, and no sibling subdomain can plant one. */
const stateCookie = (c: Context) => (secure(c) ? `__Host-${STATE_COOKIE}` : STATE_COOKIE);
const callbackUrl = (c: Context) => `${new URL(c.req.url).origin}/api/v1/session/oidc/callback`;
const acceptsHtml = (c: Context) => (c.req.header("accept") ?? "").includes("text/html");
const SIGN_IN_FAILED: SignInFailedParam = "sign_in_failed";
/** Every other refusal (state, code, ID token, invitation) is "refused". */
const failureOf: Partial<Record<ErrorCode, SignInFailure>> = {
  FORBIDDEN: "no_account",
  BAD_REQUEST: "incomplete",
  NOT_FOUND: "not_configured",
};

const start = createRoute({
  method: "post",
  path: "/",
  summary:
    "Start signing in with the configured OpenID Connect provider: answers the URL to send the browser to (and sets a short-lived state cookie); with an invitation, the sign-in accepts it",
  tags: ["session"],
  request: {
    body: jsonBody(
      z
        .object({
          invitation: z
            .string()
            .regex(/^shi_[0-9A-Za-z]{43}$/, "an invitation link's secret")
            .optional(),
          returnTo: z
            .string()
            .regex(/^\/(?![/\\])[^\s]*$/, "a path on this dashboard")
            .max(512)
            .optional(),
        })
        .strict(),
    ),
  },
  responses: {
    200: jsonContent(
      z.object({ url: z.string().openapi({ description: "the provider's authorization URL" }) }),
      "Where to send the browser",
    ),
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND"),
  },
});

const callback = createRoute({
  method: "get",
  path: "/callback",
  summary:
    "Where the provider sends the browser back: checks state (query and cookie), redeems the code, verifies the ID token, starts the session and redirects to the dashboard",
  tags: ["session"],
  request: {
    query: z.object({
      code: z.string().max(2048).optional(),
      state: z.string().max(512).optional(),
      error: z.string().max(256).optional(),
      error_description: z.string().max(1024).optional(),
      iss: z.string().max(1024).optional(),
    }),
  },
  responses: {
    302: {
      description:
        "Signed in: back to the dashboard with the session cookie. Refused, for a browser (Accept: text/html): back to the sign-in page with a reason code in `?sign_in_failed=` (refused, no_account, incomplete, not_configured)",
    },
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT"),
  },
});

function configured(c: Context<AppEnv>) {
  const cfg = oidcConfig(c.env);
  if (!cfg)
    throw new ApiError(
      "NOT_FOUND",
      "OpenID Connect is not configured (SELFHEAL_OIDC_ISSUER, SELFHEAL_OIDC_CLIENT_ID)",
    );
  return cfg;
}

export const oidcSessionRoutes = newRouter()
  .openapi(start, async (c) => {
    const cfg = configured(c);
    const { invitation, returnTo } = c.req.valid("json");
    const started = await startOidcSignIn(c.var.db, cfg, {
      redirectUri: callbackUrl(c),
      invitation,
      returnTo: returnTo ?? "/",
    });
    // Lax: the provider's redirect back is a top-level navigation, which carries it.
    setCookie(c, stateCookie(c), started.state, {
      httpOnly: true,
      sameSite: "Lax",
      path: "/",
      secure: secure(c),
      expires: new Date(started.expiresAt),
    });
    return c.json({ url: started.url }, 200);
  })
  .openapi(callback, async (c) => {
    try {
      const cfg = configured(c);
      const state = getCookie(c, stateCookie(c));
      deleteCookie(c, stateCookie(c), { path: "/", secure: secure(c) });
      if (!state)
        throw new ApiError(
          "UNAUTHORIZED",
          "OpenID Connect sign-in refused: no sign-in in progress in this browser (state cookie missing)",
        );
      const done = await finishOidcSignIn(c.var.db, cfg, {
        state,
        callback: new URL(c.req.url),
        redirectUri: callbackUrl(c),
        userAgent: c.req.header("user-agent"),
      });
      setSessionCookie(c, done.session.secret, done.session.expiresAt);
      return c.redirect(done.returnTo, 302);
    } catch (err) {
      // The provider sends a browser here: it goes back to the sign-in page, which says why,
      // instead of being left on a JSON error. Other clients get the error as JSON. The page
      // gets a reason code, not the message: the address is anyone's to write.
      if (!(err instanceof ApiError) || !acceptsHtml(c)) throw err;
      return c.redirect(`/?${SIGN_IN_FAILED}=${failureOf[err.code] ?? "refused"}`, 302);
    }
  });
