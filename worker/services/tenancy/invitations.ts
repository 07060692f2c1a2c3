/**
 * Invitation links: an admin makes one for a role; whoever opens it first, before it expires,
 * joins the org with that role and is signed in. The link's secret is shown once and stored as
 * its SHA-256 hash. Accepted while signed in as a person, it adds the org to that person;
 * otherwise it makes a new account with the name and email given.
 */
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import { type Db, runBatch, type Statement } from "../../db/client";
import { invitations, memberships, type Role, users } from "../../db/schema";
import type { Principal } from "../../env";
import { sha256Hex } from "../../lib/crypto";
import { ApiError, conflict, notFound } from "../../lib/errors";
import { newId, randomBase62 } from "../../lib/ids";
import { iso, MINUTE } from "../../lib/time";
import { audit, runAs } from "./audit";
import { newSession } from "./sessions";

export const INVITATION_TTL_MS = 72 * 60 * MINUTE;

const statusOf = (
  i: typeof invitations.$inferSelect,
  now: number,
): "accepted" | "revoked" | "expired" | "pending" =>
  i.acceptedAt !== null
    ? "accepted"
    : i.revokedAt !== null
      ? "revoked"
      : i.expiresAt <= now
        ? "expired"
        : "pending";

export async function createInvitation(
  db: Db,
  by: Principal,
  input: { role: Role; note: string; ttlMs?: number },
  now = Date.now(),
) {
  const secret = `shi_${randomBase62(43)}`;
  const id = newId("inv");
  const expiresAt = now + (input.ttlMs ?? INVITATION_TTL_MS);
  await runBatch(db, [
    db.insert(invitations).values({
      id,
      orgId: by.orgId,
      hash: await sha256Hex(secret),
      role: input.role,
      note: input.note,
      createdBy: by.name.slice(0, 128),
      createdAt: now,
      expiresAt,
    }),
    audit(db, by.orgId, "invitation.create", id, `invited "${input.note}" as ${input.role}`),
  ]);
  return { id, token: secret, role: input.role, note: input.note, expiresAt: iso(expiresAt) };
}

export async function listInvitations(db: Db, orgId: string, now = Date.now()) {
  const rows = await db
    .select()
    .from(invitations)
    .where(eq(invitations.orgId, orgId))
    .orderBy(desc(invitations.createdAt))
    .limit(200);
  return rows.map((i) => ({
    id: i.id,
    role: i.role,
    note: i.note,
    createdBy: i.createdBy,
    createdAt: iso(i.createdAt),
    expiresAt: iso(i.expiresAt),
    status: statusOf(i, now),
    acceptedBy: i.acceptedBy,
  }));
}

export async function revokeInvitation(db: Db, orgId: string, id: string, now = Date.now()) {
  const [row] = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.id, id), eq(invitations.orgId, orgId)));
  if (!row) throw notFound("invitation");
  if (row.acceptedAt !== null) throw conflict("the invitation was already accepted");
  if (row.revokedAt === null) {
    await runBatch(db, [
      db
        .update(invitations)
        .set({ revokedAt: now })
        .where(and(eq(invitations.id, id), isNull(invitations.acceptedAt))),
      audit(db, orgId, "invitation.revoke", id, `revoked the invitation "${row.note}"`),
    ]);
  }
  return { id, revokedAt: iso(row.revokedAt ?? now) };
}

export interface Acceptance {
  /** The link's secret, or (a sign-in that carried it through an identity provider) its hash. */
  secret?: string;
  secretHash?: string;
  /** For a new account (ignored when the caller is signed in as a person). */
  name?: string;
  email?: string;
  userAgent?: string | null;
  /** More writes for the same batch, given the accepting user's id (e.g. linking their login). */
  also?: (userId: string) => Statement[];
}

const usable = (hash: string, now: number) =>
  and(
    eq(invitations.hash, hash),
    isNull(invitations.acceptedAt),
    isNull(invitations.revokedAt),
    gt(invitations.expiresAt, now),
  );

/** Whether a link (by its secret's hash) can still be accepted: unused, unrevoked, unexpired. */
export async function invitationUsable(db: Db, hash: string, now = Date.now()) {
  const [row] = await db.select({ id: invitations.id }).from(invitations).where(usable(hash, now));
  return row !== undefined;
}

/**
 * Joins the org the link is for and starts a session there. The link is claimed by one
 * conditional update, so of two acceptances racing only one gets it; the claim is undone if
 * what follows cannot be written.
 */
export async function acceptInvitation(
  db: Db,
  caller: Pick<Principal, "userId"> | undefined,
  input: Acceptance,
  now = Date.now(),
) {
  const hash = input.secretHash ?? (await sha256Hex(input.secret ?? ""));
  const [invite] = await db.select().from(invitations).where(usable(hash, now));
  if (!invite) throw new ApiError("UNAUTHORIZED", "unknown, used, revoked or expired invitation");
  const person = caller?.userId ? await existingUser(db, caller.userId, invite.orgId) : null;
  const email = input.email?.trim().toLowerCase();
  if (!person) {
    if (!input.name || !email)
      throw new ApiError("BAD_REQUEST", "a new account needs a name and an email", [
        { path: input.name ? "email" : "name", message: "required" },
      ]);
    const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (taken) throw conflict("an account with this email exists: sign in as it, then open the link again");
  }
  const user = person ?? { id: newId("usr"), name: (input.name as string).trim(), email: email as string };
  const [claimed] = await db
    .update(invitations)
    .set({ acceptedAt: now, acceptedBy: user.id })
    .where(and(eq(invitations.id, invite.id), usable(hash, now)))
    .returning({ id: invitations.id });
  if (!claimed) throw new ApiError("UNAUTHORIZED", "unknown, used, revoked or expired invitation");
  const owner = { orgId: invite.orgId, userId: user.id, tokenId: null, scope: invite.role, name: user.name };
  const session = await newSession(db, { ...owner, userAgent: input.userAgent }, now);
  const writes: Statement[] = [];
  if (!person) writes.push(db.insert(users).values({ ...user, createdAt: now }));
  writes.push(
    db
      .insert(memberships)
      .values({ userId: user.id, orgId: invite.orgId, role: invite.role, createdAt: now }),
    session.insert,
    ...(input.also?.(user.id) ?? []),
  );
  const actor = { tokenId: null, userId: user.id, name: user.name, scope: invite.role };
  writes.push(
    runAs(actor, () =>
      audit(
        db,
        invite.orgId,
        "invitation.accept",
        invite.id,
        `${user.name} joined as ${invite.role}`,
        "ok",
        now,
      ),
    ),
  );
  try {
    await runBatch(db, writes);
  } catch (err) {
    await db
      .update(invitations)
      .set({ acceptedAt: null, acceptedBy: null })
      .where(eq(invitations.id, invite.id));
    throw err;
  }
  return { session, user, orgId: invite.orgId, role: invite.role };
}

/** The signed-in person, refused if already a member of the org the link is for. */
async function existingUser(db: Db, userId: string, orgId: string) {
  const [row] = await db.select().from(users).where(eq(users.id, userId));
  if (!row) return null;
  const [member] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.orgId, orgId)));
  if (member) throw conflict(`you are already a member of this org (${member.role})`);
  return { id: row.id, name: row.name, email: row.email };
}
