/**
 * Signing in with a passkey: the email's passkeys or any discoverable one are offered; the
 * assertion is checked (challenge once, origin, RP ID, signature, counter) and a session starts
 * for the person in an org they are still a member of, so a removed member's passkeys no longer
 * open it. User verification is preferred, not required; a signature counter that does not move
 * forward refuses the sign-in (a cloned authenticator).
 */
import type { z } from "@hono/zod-openapi";
import { generateAuthenticationOptions, verifyAuthenticationResponse } from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { and, asc, eq } from "drizzle-orm";
import { type Db, runBatch } from "../../db/client";
import { memberships, passkeys, users } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import type { AuthenticationResponseSchema } from "../../schemas/passkeys";
import { audit, runAs } from "./audit";
import { claimChallenge, issueChallenge, type RelyingParty, refuse } from "./passkey-challenges";
import { transportsOf, userHandle } from "./passkeys";
import { newSession } from "./sessions";

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
