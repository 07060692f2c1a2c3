/**
 * The host key: an Ed25519 pair made at the first enrolment and kept in <stateDir>/host-key.pem
 * (mode 0600). The edge stores the public half; signing canonicalKeyProof(name, time) proves this
 * is the same host, to enrol again under its name or to get a fresh agent token when its own is
 * refused. node:crypto is loaded only when a proof is made (builtins.ts).
 */
import { readFileSync } from "node:fs";
import { canonicalKeyProof, type KeyProof } from "../protocol";
import { cryptoModule } from "./builtins";
import { writeFileAtomic } from "./state-dir";
import { isoTime } from "./util";

export interface HostKey {
  /** Raw 32 bytes, base64, as the protocol sends it. */
  publicKey: string;
  /** Whether it was made just now (else read from the file). */
  created: boolean;
  prove(hostName: string, now?: Date): KeyProof;
}

/** An Ed25519 SPKI DER is a 12-byte header and the 32-byte key. */
const SPKI_HEADER_BYTES = 12;

function fromPem(pem: string, created: boolean): HostKey {
  const crypto = cryptoModule();
  const privateKey = crypto.createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error("not an Ed25519 key");
  const spki = crypto.createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return {
    publicKey: spki.subarray(SPKI_HEADER_BYTES).toString("base64"),
    created,
    prove(hostName, now = new Date()) {
      const at = isoTime(now);
      const signature = crypto.sign(null, Buffer.from(canonicalKeyProof(hostName, at)), privateKey);
      return { at, signature: signature.toString("base64") };
    },
  };
}

/** The stored key, or undefined when there is none; throws when the file is damaged. */
export function readHostKey(file: string): HostKey | undefined {
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    return fromPem(pem, false);
  } catch (err) {
    throw new Error(`${file} is not an Ed25519 private key (${(err as Error).message})`);
  }
}

/** The stored key, made (and written 0600) on first use. */
export function loadOrCreateHostKey(file: string): HostKey {
  const existing = readHostKey(file);
  if (existing) return existing;
  const { privateKey } = cryptoModule().generateKeyPairSync("ed25519");
  const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  writeFileAtomic(file, pem, 0o600);
  return fromPem(pem, true);
}
