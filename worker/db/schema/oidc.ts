/**
 * OpenID Connect sign-in: which person an issuer's subject is, and the sign-ins in flight (the
 * browser holds only the random state; the PKCE verifier and nonce stay here, single use).
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";

/** A person's login at an identity provider: the issuer's `sub` is stable, emails are not. */
export const identities = sqliteTable(
  "identities",
  {
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.issuer, t.subject] }), index("identities_user_idx").on(t.userId)],
);

/** A sign-in started and not yet finished: keyed by the SHA-256 of its state, deleted when used. */
export const oidcLogins = sqliteTable(
  "oidc_logins",
  {
    stateHash: text("state_hash").primaryKey(),
    issuer: text("issuer").notNull(),
    codeVerifier: text("code_verifier").notNull(),
    nonce: text("nonce").notNull(),
    /** The invitation being accepted by this sign-in (its hash, as invitations are stored). */
    invitationHash: text("invitation_hash"),
    returnTo: text("return_to").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("oidc_logins_expires_idx").on(t.expiresAt)],
);
