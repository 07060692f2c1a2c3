/** Orgs, their API tokens and their audit log. */
import { z } from "@hono/zod-openapi";
import { tokenScopes } from "../db/schema";
import { isoTime } from "./common";

export const OrgSchema = z.object({ id: z.string(), name: z.string(), createdAt: isoTime }).openapi("Org");

export const NewOrgSchema = z
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

export const NewTokenSchema = z
  .object({
    id: z.string(),
    token: z.string().openapi({ description: "shown once; only its hash is stored" }),
    scope: z.enum(["admin", "read", "enroll", "metrics", "operator"]),
    name: z.string(),
    prefix: z.string(),
    createdAt: isoTime,
    expiresAt: isoTime.nullable(),
    maxUses: z.number().int().nullable(),
    hostGroups: z.array(z.string()).nullable(),
  })
  .openapi("NewToken");

export const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    scope: z.enum(tokenScopes),
    prefix: z.string(),
    hostId: z.string().nullable(),
    ownerUserId: z.string().nullable().openapi({ description: "the person it belongs to (null: the org's)" }),
    createdAt: isoTime,
    lastUsedAt: isoTime.nullable(),
    expiresAt: isoTime.nullable().openapi({ description: "null: never expires" }),
    revokedAt: isoTime.nullable(),
    uses: z.number().int().openapi({ description: "enrolments made with it (enroll tokens)" }),
    maxUses: z.number().int().nullable().openapi({ description: "null: unlimited" }),
    hostGroups: z.array(z.string()).nullable().openapi({ description: "null: any group" }),
  })
  .openapi("Token");

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: isoTime,
    actor: z.object({
      tokenId: z.string().nullable(),
      userId: z
        .string()
        .nullable()
        .openapi({ description: "the person who acted (null: a token or the system)" }),
      name: z.string(),
      scope: z.string().openapi({ description: "a token scope, or platform / system" }),
    }),
    action: z.string().openapi({ example: "token.revoke" }),
    targetType: z.string(),
    targetId: z.string().nullable(),
    summary: z.string(),
    result: z.string().openapi({ description: "ok, or how the change was refused or failed" }),
  })
  .openapi("AuditEntry");
