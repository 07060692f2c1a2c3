/**
 * Optional command signing: with `commandSigningKey` (an Ed25519 public key) in the
 * config, a command runs only when its signature verifies over canonicalCommand(command, hostId).
 * The edge signs with the private key (SELFHEAL_COMMAND_SIGNING_KEY); `selfheal-agent keygen`
 * makes a pair. What it protects against, and what not: agent/README.md "Command signing".
 */
import type { KeyObject } from "node:crypto";
import { type Command, canonicalCommand } from "../../protocol";
import { cryptoModule } from "../builtins";

/** SPKI DER prefix of an Ed25519 public key: a raw 32-byte key is accepted and wrapped in it. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** Parses a base64 Ed25519 public key (SPKI DER, or the raw 32 bytes); throws when it is not one. */
export function parseSigningKey(base64: string): KeyObject {
  const raw = Buffer.from(base64.trim(), "base64");
  const der = raw.length === 32 ? Buffer.concat([ED25519_SPKI_PREFIX, raw]) : raw;
  const key = cryptoModule().createPublicKey({ key: der, format: "der", type: "spki" });
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`not an Ed25519 key (${key.asymmetricKeyType})`);
  return key;
}

/** Why a command must not run, or undefined when its signature verifies. */
export function signatureProblem(cmd: Command, hostId: string, key: KeyObject): string | undefined {
  if (!cmd.signature)
    return "unsigned command: this agent only runs commands signed with its commandSigningKey";
  const sig = Buffer.from(cmd.signature, "base64");
  let ok = false;
  try {
    ok =
      sig.length === 64 && cryptoModule().verify(null, Buffer.from(canonicalCommand(cmd, hostId)), key, sig);
  } catch {
    ok = false;
  }
  return ok ? undefined : "bad command signature: not signed by this agent's commandSigningKey for this host";
}

/** A fresh pair: the public key for agent configs, the private key for the edge's secret. */
export function generateSigningKeys(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = cryptoModule().generateKeyPairSync("ed25519");
  return {
    publicKey: publicKey.export({ format: "der", type: "spki" }).toString("base64"),
    privateKey: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"),
  };
}

export const KEYGEN_HELP = (keys: {
  publicKey: string;
  privateKey: string;
}) => `# selfheal command-signing key pair (Ed25519)
# Agent config (every host):   "commandSigningKey": "${keys.publicKey}"
# Edge secret (the signer):    SELFHEAL_COMMAND_SIGNING_KEY=${keys.privateKey}
#   e.g. npx wrangler secret put SELFHEAL_COMMAND_SIGNING_KEY   (paste the value)
# Keep the private key out of the repository and of every host.
public ${keys.publicKey}
private ${keys.privateKey}
`;
