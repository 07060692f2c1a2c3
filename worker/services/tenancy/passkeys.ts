/**
 * A person's passkeys (WebAuthn, verified by @simplewebauthn/server): registering one (attestation
 * "none": which authenticator it is does not matter here, only that its key signs), listing,
 * renaming and removing them. Signing in with one is passkey-sign-in.ts.
 */
import type { z } from "@hono/zod-openapi";
import {
  type AuthenticatorTransportFuture,
  generateRegistrationOptions,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { and, asc, eq } from "drizzle-orm";
import { type Db, runBatch } from "../../db/client";
import { passkeys, users } from "../../db/schema";
import type { Principal } from "../../env";
import { ApiError, notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { RegistrationResponseSchema } from "../../schemas/passkeys";
import { audit } from "./audit";
import { claimChallenge, issueChallenge, type RelyingParty, refuse } from "./passkey-challenges";

const RP_NAME = "selfheal";
/** The WebAuthn user handle: the user's id as bytes (never the email). */
export const userHandle = (userId: string) => Uint8Array.from(new TextEncoder().encode(userId));
export const transportsOf = (row: { transports: string }) =>
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
