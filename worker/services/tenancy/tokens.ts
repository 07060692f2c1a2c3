/** API tokens: random, shown once, stored as SHA-256 hex with a short prefix for display. */
import { and, desc, eq, isNull } from "drizzle-orm";
import { type Db, runBatch, type Statement } from "../../db/client";
import { type TokenScope, tokens } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { notFound } from "../../lib/errors";
import { newId, randomBase62 } from "../../lib/ids";
import { humanTime, iso, isoOrNull } from "../../lib/time";
import { audit } from "./audit";
import { forgetAgentTokens } from "./principal";

export interface NewToken {
  id: string;
  token: string;
  scope: TokenScope;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  maxUses: number | null;
  hostGroups: string[] | null;
}

/** Builds a token and the statement that stores it (so callers can batch it with other writes). */
export async function mintToken(
  db: Db,
  input: {
    orgId: string;
    scope: TokenScope;
    name: string;
    hostId?: string | null;
    /** The person it belongs to (null: the org's). */
    ownerUserId?: string | null;
    now: number;
    expiresAt?: number | null;
    /** Enroll tokens only: how many enrolments, and into which host groups. */
    maxUses?: number | null;
    hostGroups?: string[] | null;
  },
): Promise<{ token: NewToken; insert: Statement }> {
  const secret = `sh_${input.scope}_${randomBase62(43)}`;
  const prefix = secret.slice(0, `sh_${input.scope}_`.length + 4);
  const id = newId("tok");
  const insert = db.insert(tokens).values({
    id,
    orgId: input.orgId,
    name: input.name,
    scope: input.scope,
    prefix,
    hash: await sha256Hex(secret),
    hostId: input.hostId ?? null,
    ownerUserId: input.ownerUserId ?? null,
    createdAt: input.now,
    expiresAt: input.expiresAt ?? null,
    maxUses: input.maxUses ?? null,
    hostGroups: input.hostGroups ?? null,
  });
  const token = {
    id,
    token: secret,
    scope: input.scope,
    name: input.name,
    prefix,
    createdAt: iso(input.now),
    expiresAt: isoOrNull(input.expiresAt),
    maxUses: input.maxUses ?? null,
    hostGroups: input.hostGroups ?? null,
  };
  return { token, insert };
}

export async function createToken(
  db: Db,
  orgId: string,
  input: {
    scope: TokenScope;
    name: string;
    expiresAt?: number | null;
    maxUses?: number | null;
    hostGroups?: string[] | null;
    ownerUserId?: string | null;
  },
): Promise<NewToken> {
  const { token, insert } = await mintToken(db, { orgId, ...input, now: Date.now() });
  const expiry =
    (token.expiresAt ? `, expires ${humanTime(Date.parse(token.expiresAt))}` : "") +
    (token.maxUses ? `, ${token.maxUses} uses` : "") +
    (token.hostGroups ? `, host groups ${token.hostGroups.join(", ")}` : "");
  await runBatch(db, [
    insert,
    audit(db, orgId, "token.create", token.id, `${input.scope} token "${input.name}"${expiry}`),
  ]);
  return token;
}

export async function listTokens(db: Db, orgId: string) {
  const rows = await db.select().from(tokens).where(eq(tokens.orgId, orgId)).orderBy(desc(tokens.createdAt));
  return rows.map((t) => ({
    id: t.id,
    name: t.name,
    scope: t.scope,
    prefix: t.prefix,
    hostId: t.hostId,
    ownerUserId: t.ownerUserId,
    createdAt: iso(t.createdAt),
    lastUsedAt: isoOrNull(t.lastUsedAt),
    expiresAt: isoOrNull(t.expiresAt),
    revokedAt: isoOrNull(t.revokedAt),
    uses: t.uses,
    maxUses: t.maxUses,
    hostGroups: t.hostGroups,
  }));
}

/** Revoking twice keeps the first revocation time. */
export async function revokeToken(db: Db, orgId: string, id: string) {
  const now = Date.now();
  const [row] = await db
    .select({ id: tokens.id, revokedAt: tokens.revokedAt })
    .from(tokens)
    .where(and(eq(tokens.id, id), eq(tokens.orgId, orgId)));
  if (!row) throw notFound("token");
  if (row.revokedAt !== null) return { id: row.id, revokedAt: iso(row.revokedAt) };
  await runBatch(db, [
    db
      .update(tokens)
      .set({ revokedAt: now })
      .where(and(eq(tokens.id, id), eq(tokens.orgId, orgId), isNull(tokens.revokedAt))),
    audit(db, orgId, "token.revoke", id, `token ${id} revoked`),
  ]);
  forgetAgentTokens({ tokenId: id });
  return { id: row.id, revokedAt: iso(now) };
}
