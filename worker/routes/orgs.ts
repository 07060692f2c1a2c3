/** Org management for the platform admin (SELFHEAL_PLATFORM_TOKEN), never for org tokens. */
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { platformAdmins } from "../middleware/auth";
import { isoTime } from "../schemas/common";
import { createOrg, listOrgs } from "../services/tenancy/orgs";

const OrgSchema = z.object({ id: z.string(), name: z.string(), createdAt: isoTime }).openapi("Org");

const NewOrgSchema = z
  .object({
    org: OrgSchema,
    adminToken: z
      .object({
        id: z.string(),
        token: z.string().openapi({ description: "shown once; only its hash is stored" }),
        scope: z.literal("admin"),
        name: z.string(),
        prefix: z.string(),
        createdAt: isoTime,
        expiresAt: isoTime.nullable(),
      })
      .openapi({ description: "The org's first admin token" }),
  })
  .openapi("NewOrg");

const create = createRoute({
  method: "post",
  path: "/",
  summary: "Create an org and its first admin token (platform admin only)",
  tags: ["orgs"],
  middleware: [platformAdmins()] as const,
  request: {
    body: jsonBody(
      z
        .object({
          name: z
            .string()
            .trim()
            .min(1)
            .max(128)
            .regex(/^[^\p{Cc}]+$/u, "no control characters"),
        })
        .strict(),
    ),
  },
  responses: {
    201: jsonContent(NewOrgSchema, "The org and its admin token, shown once"),
    ...errorResponses("BAD_REQUEST"),
  },
});

const list = createRoute({
  method: "get",
  path: "/",
  summary: "List every org (platform admin only)",
  tags: ["orgs"],
  middleware: [platformAdmins()] as const,
  responses: { 200: jsonContent(listOf(OrgSchema), "Orgs, newest first"), ...errorResponses() },
});

export const orgRoutes = newRouter()
  .openapi(create, async (c) => {
    const created = await createOrg(c.var.db, c.req.valid("json").name);
    return c.json({ ...created, adminToken: { ...created.adminToken, scope: "admin" as const } }, 201);
  })
  .openapi(list, async (c) => c.json({ items: await listOrgs(c.var.db) }, 200));
