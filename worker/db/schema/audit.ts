import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Append-only record of who changed what. Rows are only ever inserted, in the same batch
 * as the change they describe; nothing in the API updates or deletes them.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    at: integer("at").notNull(),
    /** The token that acted (null for SELFHEAL_ADMIN_TOKEN, the platform token and the system). */
    actorTokenId: text("actor_token_id"),
    /** The person who acted (null when a token or the system did). */
    actorUserId: text("actor_user_id"),
    actorName: text("actor_name").notNull(),
    actorScope: text("actor_scope").notNull(),
    /** Dotted verb, e.g. `token.create`, `config.update`, `command.approve`. */
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    summary: text("summary").notNull(),
    result: text("result").notNull().default("ok"),
  },
  (t) => [
    index("audit_log_org_at_idx").on(t.orgId, t.at, t.id),
    index("audit_log_org_action_idx").on(t.orgId, t.action),
  ],
);
