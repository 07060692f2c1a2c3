/**
 * Host key proofs: Ed25519 over canonicalKeyProof(name, at), checked with the key stored for the
 * host. A proof must be recent (within PROOF_WINDOW_MS of the edge's clock) and newer than the
 * last one accepted for the host (a trigger guards that in the batch against a race), so a
 * captured proof cannot be replayed.
 */
import { canonicalKeyProof, type KeyProof } from "../../../../agent/protocol";
import { ApiError } from "../../../lib/errors";
import { MINUTE } from "../../../lib/time";

export const PROOF_WINDOW_MS = 5 * MINUTE;

const bytes = (base64: string) => Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));

export const proofRefused = (why: string) => new ApiError("UNAUTHORIZED", `host key proof refused: ${why}`);

/** The proof's time (epoch ms) when it verifies; else throws 401 saying why. */
export async function verifyKeyProof(
  publicKey: string,
  hostName: string,
  proof: KeyProof,
  lastProofAt: number | null,
  now: number,
): Promise<number> {
  const at = Date.parse(proof.at);
  if (Math.abs(now - at) > PROOF_WINDOW_MS) {
    const edge = new Date(now).toISOString();
    throw proofRefused(
      `its time ${proof.at} is more than ${PROOF_WINDOW_MS / 1000} s from the edge's ${edge} (check the host's clock)`,
    );
  }
  let ok = false;
  try {
    const key = await crypto.subtle.importKey("raw", bytes(publicKey), { name: "Ed25519" }, false, [
      "verify",
    ]);
    const data = new TextEncoder().encode(canonicalKeyProof(hostName, proof.at));
    ok = await crypto.subtle.verify({ name: "Ed25519" }, key, bytes(proof.signature), data);
  } catch {
    ok = false;
  }
  if (!ok) throw proofRefused("the signature does not verify with the host's key");
  if (lastProofAt !== null && at <= lastProofAt)
    throw proofRefused("it is not newer than the last one (a replay)");
  return at;
}

/** Maps the guard triggers' aborts (migration add_host_identity) and a lost name race to answers. */
export function guardError(err: unknown): unknown {
  const text = String((err as Error)?.message ?? err);
  if (text.includes("selfheal: enroll token spent"))
    return new ApiError("FORBIDDEN", "this enroll token has no uses left");
  if (text.includes("selfheal: key proof replayed"))
    return proofRefused("it is not newer than the last one (a replay)");
  if (text.includes("UNIQUE") && text.includes("hosts"))
    return new ApiError("CONFLICT", "a host of this name was enrolled at the same moment");
  return err;
}
