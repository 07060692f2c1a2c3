/**
 * After a successful change to an org's configuration or rules, every host object of the org
 * reads them again on its next report (HostObject.configChanged), so an edit bites at once rather
 * than at the objects' once-a-minute refresh. A fan-out on write, on a rare admin action: reads
 * never fan out.
 */
import { eq } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { hosts } from "../db/schema";
import type { AppEnv } from "../env";
import { hostObject } from "../objects/host/stub";

/** Objects told at once; past this many hosts the rest learn it at their next refresh (context.ts REFRESH_MS). */
const FAN_OUT_MAX = 5_000;
const IN_FLIGHT = 50;

export const tellHostObjects = (skip: RegExp = /$^/) =>
  createMiddleware<AppEnv>(async (c, next) => {
    await next();
    if (c.req.method === "GET" || c.res.status >= 300 || skip.test(c.req.path)) return;
    const { orgId } = c.var.principal;
    const rows = await c.var.db
      .select({ id: hosts.id })
      .from(hosts)
      .where(eq(hosts.orgId, orgId))
      .limit(FAN_OUT_MAX);
    for (let i = 0; i < rows.length; i += IN_FLIGHT)
      await Promise.all(rows.slice(i, i + IN_FLIGHT).map((h) => hostObject(c.env, h.id).configChanged()));
  });
