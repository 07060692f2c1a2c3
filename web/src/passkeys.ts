/**
 * Passkey ceremonies in the browser: ask the server for options, let the browser and the
 * authenticator answer (navigator.credentials via @simplewebauthn/browser, which turns the JSON
 * options into the binary ones and back), and hand the answer to the server to verify. The
 * library is loaded only when a ceremony starts, so it weighs nothing on other pages.
 */

import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/browser";
import type { Passkey } from "../../worker/schemas/passkeys";
import {
  getMyPasskeys,
  messageOf,
  passkeyRegister,
  passkeyRegisterOptions,
  passkeySignIn,
  passkeySignInOptions,
  removePasskey,
  renamePasskey,
} from "./api";

export type { Passkey };
export { getMyPasskeys, removePasskey, renamePasskey };

const webauthn = () => import("@simplewebauthn/browser");

/**
 * Whether this page can use passkeys: the browser has WebAuthn, and the page is on a host name
 * (a passkey's RP ID is a domain: opened as http://127.0.0.1 it cannot be used; localhost can).
 */
export const passkeysSupported = () =>
  typeof window !== "undefined" && "PublicKeyCredential" in window && !/^[\d.]+$|:/.test(location.hostname);

/** Registers a passkey for the signed-in person. */
export async function addPasskey(name?: string) {
  // The options are WebAuthn's JSON, which the server's schema keeps open.
  const optionsJSON = (await passkeyRegisterOptions()) as unknown as PublicKeyCredentialCreationOptionsJSON;
  const response = await (await webauthn()).startRegistration({ optionsJSON });
  return passkeyRegister({ response, name } as Parameters<typeof passkeyRegister>[0]);
}

/** Signs in with a passkey: the email's, or whichever discoverable one the person picks. */
export async function signInWithPasskey(email?: string) {
  const optionsJSON = (await passkeySignInOptions(email)) as unknown as PublicKeyCredentialRequestOptionsJSON;
  const response = await (await webauthn()).startAuthentication({ optionsJSON });
  return passkeySignIn({ response } as Parameters<typeof passkeySignIn>[0]);
}

/** What to say when the browser's ceremony did not finish (the person cancelled, or no passkey matched). */
export function ceremonyMessage(err: unknown): string {
  const name = err instanceof Error ? err.name : "";
  if (name === "NotAllowedError" || name === "AbortError")
    return "The passkey prompt was closed or timed out, or no passkey here matches.";
  if (name === "InvalidStateError") return "This authenticator already holds a passkey for this account.";
  return messageOf(err);
}
