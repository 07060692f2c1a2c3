/**
 * Passkeys (WebAuthn, verified by @simplewebauthn/server): a signed-in person registers one; anyone
 * signs in with one, naming their email or letting the authenticator offer its discoverable
 * credential. A sign-in needs a live membership of the org, so a removed member's passkeys no
 * longer open it. User verification is preferred, not required; a signature counter that does
 * not move forward refuses the sign-in (a cloned authenticator).
 */

import type { z } from "@hono/zod-openapi";
import {
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { and, asc, eq } from "drizzle-orm";
import { type Db, runBatch } from "../../db/client";
import { memberships, passkeys, users } from "../../db/schema";
import type { Principal } from "../../env";
import { ApiError, notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { AuthenticationResponseSchema, RegistrationResponseSchema } from "../../schemas/passkeys";
import { audit, runAs } from "./audit";
import { claimChallenge, issueChallenge, type RelyingParty, refuse } from "./passkey-challenges";
import { newSession } from "./sessions";

const RP_NAME = "selfheal";
/** The WebAuthn user handle: the user's id as bytes (never the email). */
const userHandle = (userId: string) => Uint8Array.from(new TextEncoder().encode(userId));
const transportsOf = (row: { transports: string }) =>
  JSON.parse(row.transports) as AuthenticatorTransportFuture[];

async function person(db: Db, userId: string) {
  const [row] = await db.select().from(users).where(eq(users.id, userId));
  if (!row) throw new ApiError("NOT_FOUND", "no such person");
  return row;
}

function ownedRows(db: Db, userId: string) {
  return db
    .select()
    .from(passkeys)
    .where(eq(passkeys.userId, userId))
    .orderBy(asc(passkeys.createdAt))
    .limit(50);
}

/** Options for navigator.credentials.create(), excluding the passkeys the person already has. */
export async function registrationOptions(db: Db, rp: RelyingParty, userId: string, now = Date.now()) {
  const user = await person(db, userId);
  const existing = await ownedRows(db, userId);
  const challenge = await issueChallenge(db, "register", userId, now);
  return generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.rpID,
    userID: userHandle(user.id),
    userName: user.email,
    userDisplayName: user.name,
    challenge,
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: transportsOf(p) })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
  });
}

export async function registerPasskey(
  db: Db,
  rp: RelyingParty,
  by: Principal & { userId: string },
  input: { response: z.infer<typeof RegistrationResponseSchema>; name?: string },
  now = Date.now(),
) {
  const { response } = input;
  const expectedChallenge = await claimChallenge(
    db,
    response.response.clientDataJSON,
    "register",
    by.userId,
    now,
  );
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: false,
    });
  } catch (err) {
    throw refuse(err instanceof Error ? err.message : String(err));
  }
  if (!verified.verified) throw refuse("the registration did not verify");
  const { credential } = verified.registrationInfo;
  const [taken] = await db
    .select({ id: passkeys.id })
    .from(passkeys)
    .where(eq(passkeys.credentialId, credential.id));
  if (taken) throw new ApiError("CONFLICT", "this passkey is already registered");
  const row = {
    id: newId("pky"),
    userId: by.userId,
    credentialId: credential.id,
    publicKey: isoBase64URL.fromBuffer(credential.publicKey),
    counter: credential.counter,
    transports: JSON.stringify(credential.transports ?? response.response.transports ?? []),
    name: input.name ?? "Passkey",
    createdAt: now,
    lastUsedAt: null,
  };
  await runBatch(db, [
    db.insert(passkeys).values(row),
    audit(db, by.orgId, "passkey.add", row.id, `${by.name} added the passkey "${row.name}"`, "ok", now),
  ]);
  return view(row);
}

/** Options for navigator.credentials.get(): the person's passkeys when an email is given, else any discoverable one. */
export async function signInOptions(db: Db, rp: RelyingParty, email: string | undefined, now = Date.now()) {
  const rows = email
    ? await db
        .select({ credentialId: passkeys.credentialId, transports: passkeys.transports })
        .from(passkeys)
        .innerJoin(users, eq(users.id, passkeys.userId))
        .where(eq(users.email, email.trim().toLowerCase()))
        .limit(50)
    : [];
  const challenge = await issueChallenge(db, "sign-in", null, now);
  return generateAuthenticationOptions({
    rpID: rp.rpID,
    challenge,
    userVerification: "preferred",
    allowCredentials: rows.map((p) => ({ id: p.credentialId, transports: transportsOf(p) })),
  });
}

/**
 * Checks a sign-in assertion and starts a session for the person in `orgId` (else their first
 * org); the new counter, last use and audit entry are written with the session.
 */
export async function signInWithPasskey(
  db: Db,
  rp: RelyingParty,
  input: {
    response: z.infer<typeof AuthenticationResponseSchema>;
    orgId?: string;
    userAgent?: string | null;
  },
  now = Date.now(),
) {
  const { response, orgId } = input;
  const expectedChallenge = await claimChallenge(db, response.response.clientDataJSON, "sign-in", null, now);
  const [key] = await db.select().from(passkeys).where(eq(passkeys.credentialId, response.id));
  if (!key) throw refuse("unknown passkey");
  const handle = response.response.userHandle;
  if (handle !== undefined && handle !== isoBase64URL.fromBuffer(userHandle(key.userId)))
    throw refuse("the passkey names another person");
  let newCounter: number;
  try {
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: false,
      credential: {
        id: key.credentialId,
        publicKey: new Uint8Array(isoBase64URL.toBuffer(key.publicKey)),
        counter: key.counter,
        transports: transportsOf(key),
      },
    });
    if (!verified.verified) throw new Error("the signature did not verify");
    newCounter = verified.authenticationInfo.newCounter;
  } catch (err) {
    throw refuse(err instanceof Error ? err.message : String(err));
  }
  const [member] = await db
    .select({ userId: users.id, name: users.name, orgId: memberships.orgId, role: memberships.role })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .where(and(eq(users.id, key.userId), orgId ? eq(memberships.orgId, orgId) : undefined))
    .orderBy(asc(memberships.createdAt))
    .limit(1);
  if (!member)
    throw new ApiError(
      "FORBIDDEN",
      `this passkey's account is not a member of ${orgId ? "that org" : "any org"}`,
    );
  const actor = { tokenId: null, userId: member.userId, name: member.name, scope: member.role };
  const owner = {
    orgId: member.orgId,
    userId: member.userId,
    tokenId: null,
    scope: member.role,
    name: member.name,
  };
  const session = await newSession(db, { ...owner, userAgent: input.userAgent }, now);
  await runBatch(db, [
    session.insert,
    db.update(passkeys).set({ counter: newCounter, lastUsedAt: now }).where(eq(passkeys.id, key.id)),
    runAs(actor, () =>
      audit(
        db,
        member.orgId,
        "session.passkey",
        key.id,
        `${member.name} signed in with the passkey "${key.name}"`,
        "ok",
        now,
      ),
    ),
  ]);
  return { session, owner };
}

const view = (p: typeof passkeys.$inferSelect) => ({
  id: p.id,
  name: p.name,
  transports: transportsOf(p),
  createdAt: new Date(p.createdAt).toISOString(),
  lastUsedAt: p.lastUsedAt === null ? null : new Date(p.lastUsedAt).toISOString(),
});

export async function listPasskeys(db: Db, userId: string) {
  return (await ownedRows(db, userId)).map(view);
}

async function owned(db: Db, userId: string, id: string) {
  const [row] = await db
    .select()
    .from(passkeys)
    .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)));
  if (!row) throw notFound("passkey");
  return row;
}

export async function renamePasskey(db: Db, by: Principal & { userId: string }, id: string, name: string) {
  const row = await owned(db, by.userId, id);
  await runBatch(db, [
    db.update(passkeys).set({ name }).where(eq(passkeys.id, id)),
    audit(db, by.orgId, "passkey.rename", id, `${by.name} renamed the passkey "${row.name}" to "${name}"`),
  ]);
  return view({ ...row, name });
}

export async function removePasskey(db: Db, by: Principal & { userId: string }, id: string) {
  const row = await owned(db, by.userId, id);
  await runBatch(db, [
    db.delete(passkeys).where(eq(passkeys.id, id)),
    audit(db, by.orgId, "passkey.remove", id, `${by.name} removed the passkey "${row.name}"`),
  ]);
  return { id };
}
