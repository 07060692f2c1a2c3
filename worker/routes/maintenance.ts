import { createRoute } from "@hono/zod-openapi";
import { errorResponses, idParam, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { admins, readers } from "../middleware/auth";
import { MaintenanceWindowInputSchema, MaintenanceWindowSchema } from "../schemas/recovery";
import { createWindow, deleteWindow, listWindows } from "../services/recovery/maintenance";

const create = createRoute({
  method: "post",
  path: "/",
  summary: "Hold automatic actions and notifications for a host, group or rule (all of them: every host)",
  tags: ["recovery"],
  middleware: [admins()] as const,
  request: { body: jsonBody(MaintenanceWindowInputSchema) },
  responses: {
    201: jsonContent(MaintenanceWindowSchema, "The window"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

const list = createRoute({
  method: "get",
  path: "/",
  summary: "Maintenance windows not yet over",
  tags: ["recovery"],
  middleware: [readers()] as const,
  responses: { 200: jsonContent(listOf(MaintenanceWindowSchema), "Windows") },
});

const remove = createRoute({
  method: "delete",
  path: "/{id}",
  summary: "End a maintenance window now (delete it)",
  tags: ["recovery"],
  middleware: [admins()] as const,
  request: { params: idParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses("NOT_FOUND") },
});

export const maintenanceRoutes = newRouter()
  .openapi(create, async (c) =>
    c.json(await createWindow(c.var.db, c.var.principal.orgId, c.req.valid("json")), 201),
  )
  .openapi(list, async (c) => c.json({ items: await listWindows(c.var.db, c.var.principal.orgId) }, 200))
  .openapi(remove, async (c) => {
    await deleteWindow(c.var.db, c.var.principal.orgId, c.req.valid("param").id);
    return c.body(null, 204);
  });
