/**
 * Dashboard sessions: the cookie holds a random secret, D1 its SHA-256 hash. A session ends when
 * it is revoked (sign-out, "my sessions", a member removed), idle too long, or past its absolute
 * end; and with whatever it was made from (the user's membership, the token and its owner's
 * membership, the environment's admin token as it was at sign-in).
 */
import { and, desc, eq, gt, isNull, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db, Statement } from "../../db/client";
import { memberships, sessions, tokens, users } from "../../db/schema";
import type { Env, Principal } from "../../env";
import { constantTimeEqual, sha256Hex } from "../../lib/crypto";
import { notFound } from "../../lib/errors";
import { newId, randomBase62 } from "../../lib/ids";
import { iso, MINUTE } from "../../lib/time";
import { adminTokenHash, ownedScope } from "./principal";

const HOUR = 60 * MINUTE;
/** Unused this long, a session ends. */
export const SESSION_IDLE_MS = 24 * HOUR;
/** However used, a session ends this long after sign-in. */
export const SESSION_MAX_MS = 7 * 24 * HOUR;
/** lastSeenAt moves at most once a minute, so reading pages is not a write per request. */
const TOUCH_EVERY_MS = MINUTE;

export interface SessionOwner {
  orgId: string;
  /** A person's session; else one made from a token (tokenId) or the environment's admin token (neither). */
  userId: string | null;
  tokenId: string | null;
  scope: string;
  name: string;
  userAgent?: string | null;
  /** A session made from the environment's admin token: that token's hash, so rotating it ends the session. */
  adminTokenHash?: string | null;
}

/** A new session's secret (for the cookie only) and the insert that stores its hash. */
export async function newSession(db: Db, owner: SessionOwner, now: number) {
  const secret = randomBase62(43);
  const id = newId("ses");
  const insert = db.insert(sessions).values({
    id,
    hash: await sha256Hex(secret),
    orgId: owner.orgId,
    userId: owner.userId,
    tokenId: owner.tokenId,
    scope: owner.scope,
    name: owner.name.slice(0, 128),
    userAgent: owner.userAgent?.slice(0, 256) ?? null,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + SESSION_MAX_MS,
    adminTokenHash: owner.userId === null && owner.tokenId === null ? (owner.adminTokenHash ?? null) : null,
  });
  return { id, secret, expiresAt: now + SESSION_MAX_MS, insert };
}

const live = (now: number) =>
  and(
    isNull(sessions.revokedAt),
    gt(sessions.expiresAt, now),
    gt(sessions.lastSeenAt, now - SESSION_IDLE_MS),
  );

/** The membership of a session's token's owner (a person's token acts at most at their role). */
const ownerMembership = alias(memberships, "owner_membership");

/** The principal a session secret stands for, or null (unknown, ended, or its source gone). */
export async function resolveSession(
  db: Db,
  env: Env,
  secret: string,
  now: number,
): Promise<Principal | null> {
  if (!/^[0-9A-Za-z]{43}$/.test(secret)) return null;
  const [row] = await db
    .select({
      s: sessions,
      role: memberships.role,
      userName: users.name,
      token: {
        scope: tokens.scope,
        name: tokens.name,
        owner: tokens.ownerUserId,
        ownerRole: ownerMembership.role,
        revokedAt: tokens.revokedAt,
        expiresAt: tokens.expiresAt,
      },
    })
    .from(sessions)
    .leftJoin(
      memberships,
      and(eq(memberships.userId, sessions.userId), eq(memberships.orgId, sessions.orgId)),
    )
    .leftJoin(users, eq(users.id, sessions.userId))
    .leftJoin(tokens, and(eq(tokens.id, sessions.tokenId), eq(tokens.orgId, sessions.orgId)))
    .leftJoin(
      ownerMembership,
      and(eq(ownerMembership.userId, tokens.ownerUserId), eq(ownerMembership.orgId, sessions.orgId)),
    )
    .where(and(eq(sessions.hash, await sha256Hex(secret)), live(now)))
    .limit(1);
  if (!row) return null;
  const { s } = row;
  let scope: Principal["scope"];
  let name = s.name;
  let userId = s.userId;
  if (s.userId !== null) {
    if (!row.role || !row.userName) return null; // no longer a member
    scope = row.role;
    name = row.userName;
  } else if (s.tokenId !== null) {
    const t = row.token;
    if (!t?.scope || t.revokedAt !== null || (t.expiresAt !== null && t.expiresAt <= now)) return null;
    const owned = t.owner === null ? t.scope : ownedScope(t.scope, t.ownerRole ?? null);
    if (owned === null) return null; // its owner left the org
    scope = owned;
    name = t.name ?? name;
    userId = t.owner ?? null;
  } else {
    // the environment's admin token is gone, or is no longer the one this session was made from
    const current = adminTokenHash(env);
    if (!current || !s.adminTokenHash || !constantTimeEqual(s.adminTokenHash, await current)) return null;
    scope = "admin";
  }
  if (now - s.lastSeenAt >= TOUCH_EVERY_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, s.id));
  }
  return { scope, orgId: s.orgId, tokenId: s.tokenId, hostId: null, name, userId, sessionId: s.id };
}

/** A person's sessions in every org; else the sessions made from the same token in this org. */
function ownedBy(p: Principal): SQL | undefined {
  if (p.userId) return eq(sessions.userId, p.userId);
  return and(
    eq(sessions.orgId, p.orgId),
    isNull(sessions.userId),
    p.tokenId ? eq(sessions.tokenId, p.tokenId) : isNull(sessions.tokenId),
  );
}

export async function listSessions(db: Db, p: Principal, now = Date.now()) {
  const rows = await db
    .select()
    .from(sessions)
    .where(and(ownedBy(p), live(now)))
    .orderBy(desc(sessions.lastSeenAt))
    .limit(100);
  return rows.map((s) => ({
    id: s.id,
    orgId: s.orgId,
    userAgent: s.userAgent,
    createdAt: iso(s.createdAt),
    lastSeenAt: iso(s.lastSeenAt),
    expiresAt: iso(Math.min(s.expiresAt, s.lastSeenAt + SESSION_IDLE_MS)),
    current: s.id === p.sessionId,
  }));
}

/** Ends one of the caller's own sessions (404 for anyone else's). */
export async function revokeSession(db: Db, p: Principal, id: string, now = Date.now()) {
  const [row] = await db
    .select({ id: sessions.id, orgId: sessions.orgId })
    .from(sessions)
    .where(and(eq(sessions.id, id), ownedBy(p), isNull(sessions.revokedAt)));
  if (!row) throw notFound("session");
  await db.update(sessions).set({ revokedAt: now }).where(eq(sessions.id, id));
  return { id, orgId: row.orgId, revokedAt: iso(now) };
}

/** Sign-out: ends the session the secret belongs to, if any. */
export async function endSession(db: Db, secret: string, now = Date.now()) {
  if (!/^[0-9A-Za-z]{43}$/.test(secret)) return null;
  const [row] = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.hash, await sha256Hex(secret)), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id, orgId: sessions.orgId });
  return row ?? null;
}

/** Ends a member's sessions in one org (removed from it). */
export function revokeMemberSessions(db: Db, orgId: string, userId: string, now: number): Statement {
  return db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.orgId, orgId), eq(sessions.userId, userId), isNull(sessions.revokedAt)));
}
