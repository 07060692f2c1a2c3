/**
 * People: users, their memberships of orgs, their dashboard sessions and the invitation links
 * that bring them in. Secrets (session ids, invitation links) are stored only as SHA-256 hex.
 */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { orgs } from "./tenancy";

/** What a person may do in an org: the same three levels as the people's token scopes. */
export const roles = ["admin", "operator", "read"] as const;
export type Role = (typeof roles)[number];

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** Lower-cased; one account per address. */
    email: text("email").notNull(),
    name: text("name").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("users_email_uq").on(t.email)],
);

export const memberships = sqliteTable(
  "memberships",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    role: text("role", { enum: roles }).notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.orgId] }), index("memberships_org_idx").on(t.orgId)],
);

/**
 * A signed-in dashboard. The cookie holds a random secret; the row holds its hash. A session is a
 * user's (userId), or one made from a token (tokenId; the token's scope and name), or one made
 * from the environment's admin token (neither): it never outlives what it was made from.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    hash: text("hash").notNull(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    userId: text("user_id"),
    tokenId: text("token_id"),
    /** For token sessions: the token's scope and name when it signed in (users' come from memberships). */
    scope: text("scope").notNull(),
    name: text("name").notNull(),
    userAgent: text("user_agent"),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    /** The absolute end; the idle end is lastSeenAt + the idle limit. */
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
    /** Made from the environment's admin token: that token's SHA-256, so rotating it ends the session. */
    adminTokenHash: text("admin_token_hash"),
  },
  (t) => [
    uniqueIndex("sessions_hash_uq").on(t.hash),
    index("sessions_user_idx").on(t.userId),
    index("sessions_org_idx").on(t.orgId),
  ],
);

/** A link that lets its holder join an org with a role: once, before it expires. */
export const invitations = sqliteTable(
  "invitations",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    hash: text("hash").notNull(),
    role: text("role", { enum: roles }).notNull(),
    /** A note for the admins' list (who it is for); not checked on acceptance. */
    note: text("note").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    acceptedAt: integer("accepted_at"),
    acceptedBy: text("accepted_by"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("invitations_hash_uq").on(t.hash), index("invitations_org_idx").on(t.orgId)],
);

/**
 * A person's passkey (a WebAuthn credential): its id and COSE public key as base64url, the
 * authenticator's signature counter (0 when it keeps none), and the transports it said it uses.
 * It signs in to the orgs its user is a member of, so a removed member's passkeys lose that org.
 */
export const passkeys = sqliteTable(
  "passkeys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    credentialId: text("credential_id").notNull(),
    publicKey: text("public_key").notNull(),
    counter: integer("counter").notNull(),
    /** JSON array of AuthenticatorTransport names. */
    transports: text("transports").notNull(),
    name: text("name").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [uniqueIndex("passkeys_credential_uq").on(t.credentialId), index("passkeys_user_idx").on(t.userId)],
);

/**
 * A WebAuthn challenge handed out and not yet answered: used once (deleted as it is checked) and
 * only before it expires. A registration challenge is the person's who asked for it.
 */
export const passkeyChallenges = sqliteTable(
  "passkey_challenges",
  {
    challenge: text("challenge").primaryKey(),
    purpose: text("purpose", { enum: ["register", "sign-in"] }).notNull(),
    userId: text("user_id"),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("passkey_challenges_expires_idx").on(t.expiresAt)],
);
