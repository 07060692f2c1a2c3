/**
 * After a successful write by a person or a script (not an agent's steady report, which its host
 * object announces itself only when it changed something), the org's open dashboards hear of it
 * and reload what it touched: another operator's Recover, an approval, a config edit.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { tellOrg } from "../objects/org-events/stub";
import type { EventTopic } from "../schemas/events";

function topicsOf(path: string): EventTopic[] {
  if (/\/(issues|recover|commands|acknowledge)\b/.test(path)) return ["issues", "commands"];
  if (path.includes("/hosts")) return ["hosts", "issues", "commands"];
  return ["config"];
}

export const tellDashboards = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const principal = c.get("principal");
  if (c.req.method === "GET" || c.res.status >= 300 || !principal || principal.platform) return;
  if (principal.scope === "agent") return;
  c.executionCtx.waitUntil(tellOrg(c.env, principal.orgId, topicsOf(c.req.path)));
});
