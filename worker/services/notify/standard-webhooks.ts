/**
 * Standard Webhooks signatures (standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256
 * of "id.timestamp.body">`. A `whsec_` secret is base64 of the key bytes, as the spec says; any
 * other secret is keyed by its text (a receiver's verifier takes it in its "raw" format).
 */
const enc = new TextEncoder();

export function secretKeyBytes(secret: string): Uint8Array<ArrayBuffer> {
  if (!secret.startsWith("whsec_")) return new Uint8Array(enc.encode(secret));
  return Uint8Array.from(atob(secret.slice("whsec_".length)), (c) => c.charCodeAt(0));
}

export async function standardSignature(secret: string, id: string, timestamp: string, body: string) {
  const key = await crypto.subtle.importKey(
    "raw",
    secretKeyBytes(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(`${id}.${timestamp}.${body}`)));
  return `v1,${btoa(String.fromCharCode(...mac))}`;
}

/**
 * Both header sets: the Standard Webhooks ones, and our earlier x-selfheal-* ones, kept for one
 * release so receivers can move over.
 */
export async function webhookHeaders(
  secret: string,
  id: string,
  now: number,
  body: string,
  legacy: (secret: string, timestamp: string, body: string) => Promise<string>,
) {
  const timestamp = String(Math.floor(now / 1000));
  return {
    "webhook-id": id,
    "webhook-timestamp": timestamp,
    "webhook-signature": await standardSignature(secret, id, timestamp, body),
    "x-selfheal-timestamp": timestamp,
    "x-selfheal-signature": await legacy(secret, timestamp, body),
    "x-selfheal-delivery": id,
  };
}
