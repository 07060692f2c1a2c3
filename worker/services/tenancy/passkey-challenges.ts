/**
 * WebAuthn challenges: random, kept in D1 for five minutes, and used once: answering one deletes
 * it (a conditional delete, so of two answers racing only one gets it), whatever the verdict.
 * The relying party is the request's own origin, so a passkey works on the address it was made on.
 */
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { and, eq, lte } from "drizzle-orm";
import type { Db } from "../../db/client";
import { passkeyChallenges } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import { MINUTE } from "../../lib/time";

export const CHALLENGE_TTL_MS = 5 * MINUTE;

export type Purpose = "register" | "sign-in";

/** Who the browser talks to: the expected clientData origin and the RP ID (its host name). */
export interface RelyingParty {
  origin: string;
  rpID: string;
}

export function relyingPartyOf(requestUrl: string): RelyingParty {
  const url = new URL(requestUrl);
  return { origin: url.origin, rpID: url.hostname };
}

export const refuse = (why: string) => new ApiError("UNAUTHORIZED", `passkey refused: ${why}`);

/** A new challenge's bytes for `purpose` (and the person registering), stored with the sweep of expired ones. */
export async function issueChallenge(db: Db, purpose: Purpose, userId: string | null, now: number) {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const challenge = isoBase64URL.fromBuffer(bytes);
  await db.batch([
    db.delete(passkeyChallenges).where(lte(passkeyChallenges.expiresAt, now)),
    db.insert(passkeyChallenges).values({ challenge, purpose, userId, expiresAt: now + CHALLENGE_TTL_MS }),
  ]);
  return bytes;
}

/** The challenge a browser signed (from its clientDataJSON), claimed once; refused if unknown, used or expired. */
export async function claimChallenge(
  db: Db,
  clientDataJSON: string,
  purpose: Purpose,
  userId: string | null,
  now: number,
) {
  let challenge: unknown;
  try {
    challenge = (JSON.parse(isoBase64URL.toUTF8String(clientDataJSON)) as { challenge?: unknown }).challenge;
  } catch {
    throw refuse("unreadable client data");
  }
  if (typeof challenge !== "string" || challenge.length > 128)
    throw refuse("no challenge in the client data");
  const [row] = await db
    .delete(passkeyChallenges)
    .where(and(eq(passkeyChallenges.challenge, challenge), eq(passkeyChallenges.purpose, purpose)))
    .returning();
  if (!row) throw refuse("unknown or already used challenge");
  if (row.expiresAt <= now) throw refuse("the challenge expired: try again");
  if (row.userId !== userId) throw refuse("the challenge was issued to someone else");
  return challenge;
}
