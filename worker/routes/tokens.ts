import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../lib/errors";
import { errorResponses, idParam, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { admins } from "../middleware/auth";
import { tellRevoked } from "../objects/host/stub";
import { orgEvents } from "../objects/org-events/stub";
import { isoTime } from "../schemas/common";
import { NewTokenSchema, TokenSchema } from "../schemas/tenancy";
import { createToken, listTokens, revokeToken } from "../services/tenancy/tokens";

const MAX_LIFETIME_S = 366 * 24 * 3600;

/** Bounded expiry: at least a minute away, at most 366 days. */
function expiryOf(body: { expiresIn?: number; expiresAt?: string }, now: number): number | null {
  if (body.expiresIn !== undefined && body.expiresAt !== undefined) {
    throw new ApiError("BAD_REQUEST", "send expiresIn or expiresAt, not both", [
      { path: "expiresAt", message: "not with expiresIn" },
    ]);
  }
  if (body.expiresIn !== undefined) return now + body.expiresIn * 1000;
  if (body.expiresAt === undefined) return null;
  const at = Date.parse(body.expiresAt);
  if (!(at >= now + 60_000 && at <= now + MAX_LIFETIME_S * 1000)) {
    throw new ApiError("BAD_REQUEST", "expiresAt must be between 1 minute and 366 days from now", [
      { path: "expiresAt", message: "out of range" },
    ]);
  }
  return at;
}

const create = createRoute({
  method: "post",
  path: "/",
  summary:
    "Create a token (admin, read, enroll, metrics or operator), optionally expiring; agent tokens come from enrolment",
  tags: ["tokens"],
  middleware: [admins()] as const,
  request: {
    body: jsonBody(
      z
        .object({
          scope: z.enum(["admin", "read", "enroll", "metrics", "operator"]),
          name: z.string().min(1).max(128),
          expiresIn: z
            .number()
            .int()
            .min(60)
            .max(MAX_LIFETIME_S)
            .optional()
            .openapi({ description: "lifetime in seconds (60 s to 366 days)" }),
          expiresAt: z.iso
            .datetime({ offset: true })
            .optional()
            .openapi({ description: "absolute expiry, within 366 days; not with expiresIn" }),
          maxUses: z
            .number()
            .int()
            .min(1)
            .max(100_000)
            .optional()
            .openapi({ description: "enroll tokens: how many enrolments it allows (default unlimited)" }),
          hostGroups: z
            .array(z.string().min(1).max(128))
            .min(1)
            .max(50)
            .optional()
            .openapi({ description: "enroll tokens: the only host groups it enrols into (default any)" }),
        })
        .strict()
        .refine((b) => b.scope === "enroll" || (b.maxUses === undefined && b.hostGroups === undefined), {
          message: "maxUses and hostGroups limit enroll tokens only",
          path: ["scope"],
        }),
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
    const body = c.req.valid("json");
    const { scope, name, maxUses, hostGroups } = body;
    const expiresAt = expiryOf(body, Date.now());
    const created = await createToken(c.var.db, c.var.principal.orgId, {
      scope,
      name,
      expiresAt,
      maxUses,
      hostGroups,
      // Made by a person, it is theirs (their approvals and its are one person's); else the org's.
      ownerUserId: c.var.principal.userId ?? null,
    });
    return c.json({ ...created, scope }, 201);
  })
  .openapi(list, async (c) => c.json({ items: await listTokens(c.var.db, c.var.principal.orgId) }, 200))
  .openapi(revoke, async (c) =>
    c.json(
      await revokeToken(c.var.db, c.var.principal.orgId, c.req.valid("param").id).then(async (revoked) => {
        await tellRevoked(c.env, c.var.db, { tokenId: revoked.id }); // an agent token: its host's object
        await orgEvents(c.env, c.var.principal.orgId).tokenRevoked(revoked.id); // a dashboard's session
        return revoked;
      }),
      200,
    ),
  );
