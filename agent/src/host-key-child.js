// @ts-check
/**
 * The host key's crypto, run in a short-lived child process:
 *   node host-key-child.js create            -> {"pem", "publicKey"}
 *   node host-key-child.js inspect < pem     -> {"publicKey"}
 *   node host-key-child.js sign <text> < pem -> {"signature"}
 * or {"error"} with exit code 1. Why a child: the agent needs the key only to enrol and to renew a
 * refused token, and node:crypto stays loaded for the life of the process that requires it (about
 * 1.2 MB of RSS, bench:agent). Plain JavaScript with node: imports only, so the same file runs
 * from the source tree and from the published package's dist/.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { readFileSync } from "node:fs";

/** An Ed25519 SPKI DER is a 12-byte header and the 32-byte key. */
const SPKI_HEADER_BYTES = 12;

/** @param {import("node:crypto").KeyObject} privateKey */
function publicOf(privateKey) {
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error("not an Ed25519 key");
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return spki.subarray(SPKI_HEADER_BYTES).toString("base64");
}

const [op, text] = process.argv.slice(2);
try {
  if (op === "create") {
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    process.stdout.write(JSON.stringify({ pem, publicKey: publicOf(privateKey) }));
  } else {
    const privateKey = createPrivateKey(readFileSync(0, "utf8"));
    if (op === "inspect") process.stdout.write(JSON.stringify({ publicKey: publicOf(privateKey) }));
    else if (op === "sign" && text !== undefined) {
      publicOf(privateKey); // an Ed25519 key only
      const signature = sign(null, Buffer.from(text), privateKey).toString("base64");
      process.stdout.write(JSON.stringify({ signature }));
    } else throw new Error(`usage: host-key-child.js create | inspect | sign <text>`);
  }
} catch (err) {
  process.stdout.write(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
  process.exitCode = 1;
}
