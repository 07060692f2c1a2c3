/**
 * Passkeys as the API takes and answers them. The WebAuthn ceremony's options and a browser's
 * credential JSON follow the W3C WebAuthn Level 3 JSON shapes (what `@simplewebauthn/browser`
 * sends and reads); only what the server relies on is spelled out, the rest passes through to
 * the verifier, which checks it.
 */
import { z } from "@hono/zod-openapi";
import { isoTime } from "./common";

const b64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, "base64url");

const transports = z
  .array(z.enum(["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"]))
  .max(8)
  .optional();

/** `PublicKeyCredential.toJSON()` of navigator.credentials.create(). */
export const RegistrationResponseSchema = z
  .looseObject({
    id: b64url(1366),
    rawId: b64url(1366),
    type: z.literal("public-key"),
    response: z.looseObject({
      clientDataJSON: b64url(4096),
      attestationObject: b64url(16384),
      transports,
    }),
    clientExtensionResults: z.record(z.string(), z.unknown()),
    authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  })
  .openapi("PasskeyRegistrationResponse");

/** `PublicKeyCredential.toJSON()` of navigator.credentials.get(). */
export const AuthenticationResponseSchema = z
  .looseObject({
    id: b64url(1366),
    rawId: b64url(1366),
    type: z.literal("public-key"),
    response: z.looseObject({
      clientDataJSON: b64url(4096),
      authenticatorData: b64url(4096),
      signature: b64url(1024),
      userHandle: b64url(128).optional(),
    }),
    clientExtensionResults: z.record(z.string(), z.unknown()),
    authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  })
  .openapi("PasskeyAuthenticationResponse");

/** What navigator.credentials.create()/get() take, as JSON (PublicKeyCredential*OptionsJSON). */
export const CeremonyOptionsSchema = z
  .looseObject({
    challenge: z.string().openapi({ description: "single use; expires in five minutes" }),
    rpId: z.string().optional(),
  })
  .openapi("PasskeyCeremonyOptions", {
    description: "PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON",
  });

export const PasskeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    transports: z.array(z.string()),
    createdAt: isoTime,
    lastUsedAt: isoTime.nullable(),
  })
  .openapi("Passkey");
export type Passkey = z.infer<typeof PasskeySchema>;

export const passkeyName = z.string().trim().min(1).max(64);
