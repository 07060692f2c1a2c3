/**
 * Failed authentications, limited per client IP: after the limit within a minute, a client is
 * answered 429 + Retry-After before its credential is even looked at, so tokens cannot be
 * guessed at speed. Like the per-token limits (limits.ts), nothing touches D1: the Workers Rate
 * Limiting binding RATE_LIMIT_AUTH_FAILURES counts failures across the edge, and an isolate that
 * hears a client is over the limit refuses it until the window ends. Without the binding, or with
 * SELFHEAL_AUTH_FAILURES_PER_MINUTE set, a per-isolate count does it all.
 * Sign-in ceremonies started without a credential (a passkey's options, an OpenID Connect
 * sign-in) each write a row (a challenge, the login's state), so they are counted per client too,
 * on their own per-isolate count (SELFHEAL_SIGN_IN_STARTS_PER_MINUTE, default 60), before the
 * row is written: a client cannot fill D1 with them at speed.
 * SELFHEAL_RATE_LIMIT=off disables this as it does the other limits.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv, Env } from "../env";
import { ApiError } from "../lib/errors";
import { IsolateWindows } from "./limits";

export const DEFAULT_AUTH_FAILURES_PER_MINUTE = 30;
export const DEFAULT_SIGN_IN_STARTS_PER_MINUTE = 60;
/** The credential-less calls that store something: each one counts. */
const SIGN_IN_STARTS = new Set(["/api/v1/passkeys/sign-in/options", "/api/v1/session/oidc"]);
const starts = new IsolateWindows();

const failures = new IsolateWindows();
/** Clients the binding said are over the limit, until when (ms). */
const refused = new Map<string, number>();

const endOfMinute = (now: number) => (Math.floor(now / 60_000) + 1) * 60_000;
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Seconds until this client may try again, or 0 when it may now. */
function waitFor(env: Env, key: string, now: number): number {
  const perMinute = env.SELFHEAL_AUTH_FAILURES_PER_MINUTE;
  if (env.RATE_LIMIT_AUTH_FAILURES && !perMinute) {
    const until = refused.get(key) ?? 0;
    return until > now ? seconds(until - now) : 0;
  }
  const limit = perMinute ? Number(perMinute) : DEFAULT_AUTH_FAILURES_PER_MINUTE;
  const window = failures.peek(key, now);
  return window.count >= limit ? window.retryAfter : 0;
}

async function recordFailure(env: Env, key: string, now: number) {
  const binding = env.RATE_LIMIT_AUTH_FAILURES;
  if (binding && !env.SELFHEAL_AUTH_FAILURES_PER_MINUTE) {
    const { success } = await binding.limit({ key });
    if (!success) {
      if (refused.size >= 50_000) refused.clear();
      refused.set(key, endOfMinute(now));
    }
    return;
  }
  failures.take(key, Number.POSITIVE_INFINITY, now);
}

export const authFailureLimit = createMiddleware<AppEnv>(async (c, next) => {
  if (c.env.SELFHEAL_RATE_LIMIT === "off") return next();
  // Behind Cloudflare the client's address; locally (wrangler dev, tests) one shared key.
  const key = c.req.header("cf-connecting-ip") ?? "local";
  const wait = waitFor(c.env, key, Date.now());
  if (wait > 0) {
    c.header("Retry-After", String(wait));
    throw new ApiError("RATE_LIMITED", `too many failed authentications: retry in ${wait} s`);
  }
  if (c.req.method === "POST" && SIGN_IN_STARTS.has(c.req.path)) {
    const perMinute = Number(c.env.SELFHEAL_SIGN_IN_STARTS_PER_MINUTE ?? DEFAULT_SIGN_IN_STARTS_PER_MINUTE);
    const started = starts.take(key, perMinute, Date.now());
    if (!started.ok) {
      c.header("Retry-After", String(started.retryAfter));
      throw new ApiError("RATE_LIMITED", `too many sign-ins started: retry in ${started.retryAfter} s`);
    }
  }
  await next();
  if (c.res.status === 401) await recordFailure(c.env, key, Date.now());
});
