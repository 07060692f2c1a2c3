import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonContent, newRouter } from "../lib/openapi";
import { admins, readers } from "../middleware/auth";
import { healingConfigPatchSchema, healingConfigSchema } from "../schemas/config";
import { getConfig, updateConfig } from "../services/config/healing-config";

const read = createRoute({
  method: "get",
  path: "/config",
  summary: "The healing configuration (the seed's document and keys)",
  tags: ["healing"],
  middleware: [readers()] as const,
  responses: { 200: jsonContent(healingConfigSchema, "The whole document") },
});

const update = createRoute({
  method: "post",
  path: "/config",
  summary: "Deep-merge a partial document (also accepts alert_thresholds and monitoring_interval at the top)",
  tags: ["healing"],
  middleware: [admins()] as const,
  request: { body: jsonBody(healingConfigPatchSchema) },
  responses: {
    200: jsonContent(healingConfigSchema, "The whole document after the change"),
    ...errorResponses("BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

export const configRoutes = newRouter()
  .openapi(read, async (c) => c.json(await getConfig(c.var.db, c.var.principal.orgId), 200))
  .openapi(update, async (c) =>
    c.json(await updateConfig(c.var.db, c.var.principal.orgId, c.req.valid("json")), 200),
  );
