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
import { request } from "./api";
import type { List, Session } from "./types";

export type { Passkey };

const webauthn = () => import("@simplewebauthn/browser");

/**
 * Whether this page can use passkeys: the browser has WebAuthn, and the page is on a host name
 * (a passkey's RP ID is a domain: opened as http://127.0.0.1 it cannot be used; localhost can).
 */
export const passkeysSupported = () =>
  typeof window !== "undefined" && "PublicKeyCredential" in window && !/^[\d.]+$|:/.test(location.hostname);

/** Registers a passkey for the signed-in person. */
export async function addPasskey(name?: string): Promise<Passkey> {
  const optionsJSON = await request<PublicKeyCredentialCreationOptionsJSON>(
    "/api/v1/passkeys/register/options",
    {
      method: "POST",
    },
  );
  const response = await (await webauthn()).startRegistration({ optionsJSON });
  return request<Passkey>("/api/v1/passkeys/register", { method: "POST", body: { response, name } });
}

/** Signs in with a passkey: the email's, or whichever discoverable one the person picks. */
export async function signInWithPasskey(email?: string): Promise<Session> {
  const optionsJSON = await request<PublicKeyCredentialRequestOptionsJSON>(
    "/api/v1/passkeys/sign-in/options",
    {
      method: "POST",
      body: email ? { email } : {},
      expect401: true,
    },
  );
  const response = await (await webauthn()).startAuthentication({ optionsJSON });
  return request<Session>("/api/v1/passkeys/sign-in", {
    method: "POST",
    body: { response },
    expect401: true,
  });
}

export const getMyPasskeys = (signal?: AbortSignal) => request<List<Passkey>>("/api/v1/passkeys", { signal });
export const renamePasskey = (id: string, name: string) =>
  request<Passkey>(`/api/v1/passkeys/${encodeURIComponent(id)}`, { method: "PATCH", body: { name } });
export const removePasskey = (id: string) =>
  request<{ id: string }>(`/api/v1/passkeys/${encodeURIComponent(id)}`, { method: "DELETE" });

/** What to say when the browser's ceremony did not finish (the person cancelled, or no passkey matched). */
export function ceremonyMessage(err: unknown): string {
  const name = err instanceof Error ? err.name : "";
  if (name === "NotAllowedError" || name === "AbortError")
    return "The passkey prompt was closed or timed out, or no passkey here matches.";
  if (name === "InvalidStateError") return "This authenticator already holds a passkey for this account.";
  return err instanceof Error ? err.message : String(err);
}
