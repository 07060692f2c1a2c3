/**
 * Body-size limits and per-token rate limits, both answering in the one error shape.
 * Rate limits never touch D1: the ingest path must stay free of a write per request. In
 * production they use the Workers Rate Limiting bindings (limits in wrangler.toml); where a
 * binding is missing, or SELFHEAL_*RATE_LIMIT_PER_MINUTE is set, a per-isolate window does the
 * counting instead (exact per isolate, so a fleet of isolates allows a multiple of it).
 */
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono/types";
import { LIMITS } from "../../agent/protocol";
import type { AppEnv, Env } from "../env";
import { ApiError } from "../lib/errors";

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_MAX_REPORT_BYTES = LIMITS.reportBytes;
/** Per token and minute: generous enough for bench:ingest and an agent flushing its spool. */
export const DEFAULT_RATE_PER_MINUTE = 6000;
export const DEFAULT_AGENT_RATE_PER_MINUTE = 1200;

/** Routes whose bodies may be large: agent reports carry many samples after an outage. */
const LARGE_BODIES = new Set(["POST /api/v1/agent/report"]);

const limiters = new Map<number, MiddlewareHandler>();

function limiterFor(maxSize: number): MiddlewareHandler {
  let limiter = limiters.get(maxSize);
  if (!limiter) {
    const size =
      maxSize >= 1024 * 1024 ? `${maxSize / (1024 * 1024)} MB` : `${Math.round(maxSize / 1024)} KB`;
    limiter = bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError("PAYLOAD_TOO_LARGE", `request body is larger than ${size}`);
      },
    });
    limiters.set(maxSize, limiter);
  }
  return limiter;
}

export const bodyLimits = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD") return next();
  const large = LARGE_BODIES.has(`${c.req.method} ${c.req.path}`);
  const configured = large ? c.env.SELFHEAL_MAX_REPORT_BYTES : c.env.SELFHEAL_MAX_BODY_BYTES;
  const max = configured ? Number(configured) : large ? DEFAULT_MAX_REPORT_BYTES : DEFAULT_MAX_BODY_BYTES;
  return limiterFor(max)(c, next);
});

interface Verdict {
  ok: boolean;
  retryAfter: number;
}

/** Fixed one-minute windows per key, kept in this isolate's memory. */
export class IsolateWindows {
  private windows = new Map<string, { start: number; count: number }>();

  /** The key's current window without counting: how many so far, and seconds until it ends. */
  peek(key: string, now: number): { count: number; retryAfter: number } {
    const w = this.windows.get(key);
    if (!w || now - w.start >= 60_000) return { count: 0, retryAfter: 0 };
    return { count: w.count, retryAfter: Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000)) };
  }

  take(key: string, limit: number, now: number): Verdict {
    let w = this.windows.get(key);
    if (!w || now - w.start >= 60_000) {
      // Bounded memory: a flood of distinct tokens just starts every window afresh.
      if (this.windows.size >= 50_000) this.windows.clear();
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return { ok: w.count <= limit, retryAfter: Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000)) };
  }
}

const isolate = new IsolateWindows();

async function check(env: Env, agent: boolean, key: string, now: number): Promise<Verdict> {
  const perMinute = agent ? env.SELFHEAL_AGENT_RATE_LIMIT_PER_MINUTE : env.SELFHEAL_RATE_LIMIT_PER_MINUTE;
  const binding = agent ? env.RATE_LIMIT_AGENT : env.RATE_LIMIT_API;
  if (binding && !perMinute) {
    const { success } = await binding.limit({ key });
    // The binding counts in windows of its period (60 s in wrangler.toml) and does not say when
    // the current one ends: the end of the current minute is the honest upper bound.
    return { ok: success, retryAfter: 60 - (Math.floor(now / 1000) % 60) };
  }
  const fallback = agent ? DEFAULT_AGENT_RATE_PER_MINUTE : DEFAULT_RATE_PER_MINUTE;
  return isolate.take(`${agent ? "agent" : "api"}:${key}`, perMinute ? Number(perMinute) : fallback, now);
}

/** After authentication: counts each request against its token (SELFHEAL_RATE_LIMIT=off disables). */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const principal = c.get("principal");
  if (!principal || c.env.SELFHEAL_RATE_LIMIT === "off") return next();
  const agent = principal.scope === "agent";
  const key = principal.tokenId ?? principal.name;
  const verdict = await check(c.env, agent, key, Date.now());
  if (!verdict.ok) {
    c.header("Retry-After", String(verdict.retryAfter));
    throw new ApiError("RATE_LIMITED", `too many requests for this token: retry in ${verdict.retryAfter} s`);
  }
  await next();
});
