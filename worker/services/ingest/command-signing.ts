/**
 * Signs commands on their way to an agent, when SELFHEAL_COMMAND_SIGNING_KEY holds an
 * Ed25519 private key (PKCS8, base64; `selfheal-agent keygen` makes one). An agent with the
 * matching `commandSigningKey` runs only commands signed for its own host id, so rows written
 * into D1 by anyone but this Worker, or an impostor edge, cannot make it act. A thief of an admin
 * token still can (this Worker signs what the API queued): see agent/README.md "Command signing".
 */
import { type Command, canonicalCommand } from "../../../agent/protocol";

let cached: { pkcs8: string; key: Promise<CryptoKey> } | undefined;

function signingKey(pkcs8: string): Promise<CryptoKey> {
  if (cached?.pkcs8 !== pkcs8) {
    const der = Uint8Array.from(atob(pkcs8.trim()), (ch) => ch.charCodeAt(0));
    cached = { pkcs8, key: crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, false, ["sign"]) };
  }
  return cached.key;
}

/** The commands with their signature; unchanged when no key is configured. */
export async function signCommands(pkcs8: string | undefined, hostId: string, commands: Command[]) {
  if (!pkcs8 || commands.length === 0) return commands;
  const key = await signingKey(pkcs8);
  const data = new TextEncoder();
  return Promise.all(
    commands.map(async (cmd) => {
      const sig = await crypto.subtle.sign(
        { name: "Ed25519" },
        key,
        data.encode(canonicalCommand(cmd, hostId)),
      );
      return { ...cmd, signature: btoa(String.fromCharCode(...new Uint8Array(sig))) };
    }),
  );
}
