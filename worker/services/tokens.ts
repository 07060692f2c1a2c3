/** API tokens: random, shown once, stored as SHA-256 hex with a short prefix for display. */
import { and, desc, eq, isNull } from "drizzle-orm";
import { type Db, runBatch, type Statement } from "../db/client";
import { type TokenScope, tokens } from "../db/schema";
import { sha256Hex } from "../lib/crypto";
import { notFound } from "../lib/errors";
import { newId, randomBase62 } from "../lib/ids";
import { iso, isoOrNull } from "../lib/time";

export interface NewToken {
  id: string;
  token: string;
  scope: TokenScope;
  name: string;
  prefix: string;
  createdAt: string;
}

/** Builds a token and the statement that stores it (so callers can batch it with other writes). */
export async function mintToken(
  db: Db,
  input: { orgId: string; scope: TokenScope; name: string; hostId?: string | null; now: number },
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
    createdAt: input.now,
  });
  const token = {
    id,
    token: secret,
    scope: input.scope,
    name: input.name,
    prefix,
    createdAt: iso(input.now),
  };
  return { token, insert };
}

export async function createToken(db: Db, orgId: string, scope: TokenScope, name: string): Promise<NewToken> {
  const { token, insert } = await mintToken(db, { orgId, scope, name, now: Date.now() });
  await runBatch(db, [insert]);
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
    createdAt: iso(t.createdAt),
    lastUsedAt: isoOrNull(t.lastUsedAt),
    revokedAt: isoOrNull(t.revokedAt),
  }));
}

/** Revoking twice keeps the first revocation time. */
export async function revokeToken(db: Db, orgId: string, id: string) {
  const now = Date.now();
  const [, rows] = await db.batch([
    db
      .update(tokens)
      .set({ revokedAt: now })
      .where(and(eq(tokens.id, id), eq(tokens.orgId, orgId), isNull(tokens.revokedAt))),
    db
      .select({ id: tokens.id, revokedAt: tokens.revokedAt })
      .from(tokens)
      .where(and(eq(tokens.id, id), eq(tokens.orgId, orgId))),
  ]);
  const row = rows[0];
  if (!row) throw notFound("token");
  return { id: row.id, revokedAt: iso(row.revokedAt ?? now) };
}
