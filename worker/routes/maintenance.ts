import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, idParam, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { line } from "../lib/wire";
import { admins, readers } from "../middleware/auth";
import { isoTime } from "../schemas/common";
import { createWindow, deleteWindow, listWindows } from "../services/recovery/maintenance";

const WindowSchema = z
  .object({
    id: z.string(),
    hostId: z.string().nullable(),
    group: z.string().nullable(),
    rule: z.string().nullable(),
    startsAt: isoTime,
    endsAt: isoTime,
    reason: z.string(),
    createdAt: isoTime,
  })
  .openapi("MaintenanceWindow");

const WindowInputSchema = z
  .object({
    host: z.string().min(1).max(128).optional().openapi({ description: "host id or name" }),
    group: z.string().min(1).max(128).optional(),
    rule: z.string().min(1).max(64).optional(),
    startsAt: z.iso.datetime({ offset: true }).optional().openapi({ description: "default: now" }),
    endsAt: z.iso.datetime({ offset: true }),
    reason: line(500).min(1),
  })
  .strict()
  .openapi("MaintenanceWindowInput");

const create = createRoute({
  method: "post",
  path: "/",
  summary: "Hold automatic actions and notifications for a host, group or rule (all of them: every host)",
  tags: ["recovery"],
  middleware: [admins()] as const,
  request: { body: jsonBody(WindowInputSchema) },
  responses: {
    201: jsonContent(WindowSchema, "The window"),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

const list = createRoute({
  method: "get",
  path: "/",
  summary: "Maintenance windows not yet over",
  tags: ["recovery"],
  middleware: [readers()] as const,
  responses: { 200: jsonContent(listOf(WindowSchema), "Windows") },
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
