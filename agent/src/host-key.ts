/**
 * The host key: an Ed25519 pair made at the first enrolment and kept in <stateDir>/host-key.pem
 * (mode 0600). The edge stores the public half; signing canonicalKeyProof(name, time) proves this
 * is the same host, to enrol again under its name or to get a fresh agent token when its own is
 * refused. The crypto runs in a short-lived child (host-key-child.js), so node:crypto never loads
 * into the long-running agent for a key it uses only then.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { canonicalKeyProof, type KeyProof } from "../protocol";
import { writeFileAtomic } from "./state-dir";

export interface HostKey {
  /** Raw 32 bytes, base64, as the protocol sends it. */
  publicKey: string;
  /** Whether it was made just now (else read from the file). */
  created: boolean;
  prove(hostName: string, now?: Date): KeyProof;
}

/** Beside this module in the source tree, beside cli.js in the bundle (agent/build.mjs copies it). */
const CHILD = fileURLToPath(new URL("./host-key-child.js", import.meta.url));

/** One run of the child: its JSON answer, or its error thrown. */
function keyChild<T>(args: string[], pem?: string): T {
  let out: string;
  try {
    out = execFileSync(process.execPath, [CHILD, ...args], {
      input: pem ?? "",
      encoding: "utf8",
      timeout: 30_000,
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (err) {
    const answer = (err as { stdout?: string }).stdout;
    const why = answer ? (JSON.parse(answer) as { error?: string }).error : undefined;
    throw new Error(why ?? (err as Error).message);
  }
  return JSON.parse(out) as T;
}

function fromPem(pem: string, created: boolean, publicKey?: string): HostKey {
  return {
    publicKey: publicKey ?? keyChild<{ publicKey: string }>(["inspect"], pem).publicKey,
    created,
    prove(hostName, now = new Date()) {
      const at = now.toISOString();
      const { signature } = keyChild<{ signature: string }>(["sign", canonicalKeyProof(hostName, at)], pem);
      return { at, signature };
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
  const { pem, publicKey } = keyChild<{ pem: string; publicKey: string }>(["create"]);
  writeFileAtomic(file, pem, 0o600);
  return fromPem(pem, true, publicKey);
}
