import { createRoute, z } from "@hono/zod-openapi";
import { tokenScopes } from "../db/schema";
import { errorResponses, idParam, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { admins } from "../middleware/auth";
import { createToken, listTokens, revokeToken } from "../services/tokens";

const isoTime = z.string().openapi({ format: "date-time" });

const NewTokenSchema = z
  .object({
    id: z.string(),
    token: z.string().openapi({ description: "shown once; only its hash is stored" }),
    scope: z.enum(["admin", "read", "enroll", "metrics", "operator"]),
    name: z.string(),
    prefix: z.string(),
    createdAt: isoTime,
  })
  .openapi("NewToken");

const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    scope: z.enum(tokenScopes),
    prefix: z.string(),
    hostId: z.string().nullable(),
    createdAt: isoTime,
    lastUsedAt: isoTime.nullable(),
    revokedAt: isoTime.nullable(),
  })
  .openapi("Token");

const create = createRoute({
  method: "post",
  path: "/",
  summary: "Create a token (admin, read, enroll or metrics); agent tokens come from enrolment",
  tags: ["tokens"],
  middleware: [admins()] as const,
  request: {
    body: jsonBody(
      z
        .object({
          scope: z.enum(["admin", "read", "enroll", "metrics", "operator"]),
          name: z.string().min(1).max(128),
        })
        .strict(),
    ),
  },
  responses: {
    201: jsonContent(NewTokenSchema, "The new token, shown once"),
    ...errorResponses("BAD_REQUEST"),
  },
});

const list = createRoute({
  method: "get",
  path: "/",
  summary: "List the org's tokens",
  tags: ["tokens"],
  middleware: [admins()] as const,
  responses: { 200: jsonContent(listOf(TokenSchema), "Tokens, newest first") },
});

const revoke = createRoute({
  method: "delete",
  path: "/{id}",
  summary: "Revoke a token",
  tags: ["tokens"],
  middleware: [admins()] as const,
  request: { params: idParam },
  responses: {
    200: jsonContent(z.object({ id: z.string(), revokedAt: isoTime }), "Revoked"),
    ...errorResponses("NOT_FOUND"),
  },
});

export const tokenRoutes = newRouter()
  .openapi(create, async (c) => {
    const { scope, name } = c.req.valid("json");
    const created = await createToken(c.var.db, c.var.principal.orgId, scope, name);
    return c.json({ ...created, scope }, 201);
  })
  .openapi(list, async (c) => c.json({ items: await listTokens(c.var.db, c.var.principal.orgId) }, 200))
  .openapi(revoke, async (c) =>
    c.json(await revokeToken(c.var.db, c.var.principal.orgId, c.req.valid("param").id), 200),
  );
