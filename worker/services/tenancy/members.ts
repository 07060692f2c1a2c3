/** An org's people: who belongs, with which role; changing a role; removing someone. */
import { and, asc, eq, isNull, ne } from "drizzle-orm";
import { type Db, runBatch } from "../../db/client";
import { memberships, type Role, sessions, tokens, users } from "../../db/schema";
import { conflict, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { audit } from "./audit";
import { revokeMemberSessions } from "./sessions";

export async function listMembers(db: Db, orgId: string) {
  const rows = await db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: memberships.role,
      at: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, orgId))
    .orderBy(asc(users.name))
    .limit(1000);
  return rows.map(({ at, ...r }) => ({ ...r, joinedAt: iso(at) }));
}

async function membership(db: Db, orgId: string, userId: string) {
  const [row] = await db
    .select({ role: memberships.role, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  if (!row) throw notFound("member");
  return row;
}

/** Refuses a change that leaves the org's people without an admin (its tokens do not count). */
async function assertAnotherAdmin(db: Db, orgId: string, userId: string) {
  const [other] = await db
    .select({ id: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "admin"), ne(memberships.userId, userId)))
    .limit(1);
  if (!other)
    throw conflict("the org's last admin cannot be demoted or removed: make someone else admin first");
}

export async function setRole(db: Db, orgId: string, userId: string, role: Role) {
  const current = await membership(db, orgId, userId);
  if (current.role === "admin" && role !== "admin") await assertAnotherAdmin(db, orgId, userId);
  await runBatch(db, [
    db
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId))),
    audit(db, orgId, "user.role", userId, `${current.name}: ${current.role} → ${role}`),
  ]);
  return (await listMembers(db, orgId)).find((m) => m.id === userId);
}

/**
 * Removes a member, ends their sessions in this org and revokes the tokens they own there (each
 * audited): a person who has left acts through nothing. Returns the ended sessions' and the
 * revoked tokens' ids.
 */
export async function removeMember(db: Db, orgId: string, userId: string, now = Date.now()) {
  const current = await membership(db, orgId, userId);
  if (current.role === "admin") await assertAnotherAdmin(db, orgId, userId);
  const live = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.orgId, orgId), eq(sessions.userId, userId)));
  const ownTokens = and(eq(tokens.orgId, orgId), eq(tokens.ownerUserId, userId), isNull(tokens.revokedAt));
  const owned = await db.select({ id: tokens.id, name: tokens.name }).from(tokens).where(ownTokens);
  await runBatch(db, [
    db.delete(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId))),
    revokeMemberSessions(db, orgId, userId, now),
    db.update(tokens).set({ revokedAt: now }).where(ownTokens),
    audit(db, orgId, "user.remove", userId, `removed ${current.name} (${current.role})`),
    ...owned.map((t) =>
      audit(db, orgId, "token.revoke", t.id, `token "${t.name}" revoked: its owner ${current.name} left`),
    ),
  ]);
  return { sessions: live.map((s) => s.id), tokens: owned.map((t) => t.id) };
}
