/**
 * GET /metrics: the Prometheus scrape endpoint, outside /api so scrapers need no cookie. A
 * bearer token of scope metrics (or admin, read) picks the org.
 */
import { Hono } from "hono";
import { createDb } from "../db/client";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/errors";
import { bearerToken } from "../middleware/auth";
import { prometheusText } from "../services/fleet/prometheus/collect";
import { resolveToken } from "../services/tenancy/principal";

const SCRAPERS = new Set(["metrics", "admin", "read"]);

export const prometheusRoutes = new Hono<AppEnv>().get("/metrics", async (c) => {
  const token = bearerToken(c.req.header("authorization"));
  if (!token)
    throw new ApiError("UNAUTHORIZED", "missing credentials: send Authorization: Bearer <metrics token>");
  const db = createDb(c.env.DB);
  const principal = await resolveToken(db, c.env, token, Date.now());
  if (!principal) throw new ApiError("UNAUTHORIZED", "unknown, expired or revoked token");
  if (principal.platform || !SCRAPERS.has(principal.scope))
    throw new ApiError("FORBIDDEN", `a ${principal.scope} token cannot scrape /metrics`);
  const body = await prometheusText(db, principal.orgId);
  return c.body(body, 200, {
    "content-type": "text/plain; version=0.0.4; charset=utf-8",
    "cache-control": "no-store",
  });
});
