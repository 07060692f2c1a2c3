/** Org management for the platform admin (SELFHEAL_PLATFORM_TOKEN), never for org tokens. */
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { platformAdmins } from "../middleware/auth";
import { NewOrgSchema, OrgSchema } from "../schemas/tenancy";
import { createOrg, listOrgs } from "../services/tenancy/orgs";

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
