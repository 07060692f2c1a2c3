import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { HealingConfig } from "../../schemas/config";

export const orgs = sqliteTable("orgs", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull(),
});

// "metrics": may only scrape GET /metrics.
// "operator": may read, approve/reject commands and run recoveries.
export const tokenScopes = ["admin", "read", "enroll", "agent", "metrics", "operator"] as const;
export type TokenScope = (typeof tokenScopes)[number];

export const tokens = sqliteTable(
  "tokens",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    scope: text("scope", { enum: tokenScopes }).notNull(),
    /** The first characters of the token, for display; the token itself is never stored. */
    prefix: text("prefix").notNull(),
    /** SHA-256 hex of the whole token. */
    hash: text("hash").notNull(),
    hostId: text("host_id"),
    /** The person who made it (null: the org's, as agents' and enrolment tokens are). */
    ownerUserId: text("owner_user_id"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    expiresAt: integer("expires_at"),
    revokedAt: integer("revoked_at"),
    /** Enroll tokens: successful enrolments so far, and the cap (null: unlimited). */
    uses: integer("uses").notNull().default(0),
    maxUses: integer("max_uses"),
    /** Enroll tokens: the host groups they may enrol into (null: any). */
    hostGroups: text("host_groups", { mode: "json" }).$type<string[]>(),
  },
  (t) => [
    uniqueIndex("tokens_hash_uq").on(t.hash),
    index("tokens_org_idx").on(t.orgId),
    index("tokens_host_idx").on(t.hostId),
  ],
);

export const settings = sqliteTable("settings", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id),
  config: text("config", { mode: "json" }).$type<Partial<HealingConfig>>().notNull(),
  updatedAt: integer("updated_at").notNull(),
});
