/**
 * A software WebAuthn authenticator for tests: a P-256 key made with WebCrypto, and the bytes a
 * browser and authenticator send, built by the WebAuthn Level 3 spec (§6.1 authenticator data,
 * §6.5.4 "none" attestation, §6.3.3 assertion signature over authData ‖ SHA-256(clientDataJSON)).
 * Nothing here calls the server's verifier: what it answers is what a real passkey would.
 */

const te = new TextEncoder();

export const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
export const fromB64url = (text: string) =>
  Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const sha256 = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
const u32 = (n: number) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

/** RFC 8949 for what attestation needs: integers, byte and text strings, maps. */
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;
function head(major: number, n: number): Uint8Array {
  if (n < 24) return new Uint8Array([(major << 5) | n]);
  if (n < 256) return new Uint8Array([(major << 5) | 24, n]);
  if (n < 65536) return new Uint8Array([(major << 5) | 25, n >> 8, n & 255]);
  return concat(new Uint8Array([(major << 5) | 26]), u32(n));
}
function cbor(v: Cbor): Uint8Array {
  if (typeof v === "number") return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === "string") {
    const bytes = te.encode(v);
    return concat(head(3, bytes.length), bytes);
  }
  if (v instanceof Uint8Array) return concat(head(2, v.length), v);
  return concat(head(5, v.size), ...[...v].flatMap(([k, val]) => [cbor(k), cbor(val)]));
}

/** WebCrypto's ECDSA signature is r ‖ s; WebAuthn wants ASN.1 DER (SEQUENCE of two INTEGERs). */
function derSignature(raw: Uint8Array): Uint8Array {
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const trimmed = b.slice(i);
    const body = trimmed[0] & 0x80 ? concat(new Uint8Array([0]), trimmed) : trimmed;
    return concat(new Uint8Array([0x02, body.length]), body);
  };
  const seq = concat(int(raw.slice(0, 32)), int(raw.slice(32)));
  return concat(new Uint8Array([0x30, seq.length]), seq);
}

const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

interface CeremonyOptions {
  challenge: string;
  rp?: { id?: string };
  rpId?: string;
  user?: { id: string };
}

export interface Overrides {
  /** The page's origin the browser puts in clientDataJSON. */
  origin?: string;
  /** The RP ID whose hash the authenticator puts in authData (a browser uses the options' or the page's). */
  rpId?: string;
  /** The challenge to sign instead of the options' one. */
  challenge?: string;
}

export class SoftAuthenticator {
  readonly credentialId = crypto.getRandomValues(new Uint8Array(16));
  /** The signature counter it reports next; 0 means "keeps no counter" as passkeys synced between devices do. */
  counter = 1;
  userHandle: string | undefined;
  private keys!: CryptoKeyPair;

  constructor(readonly origin: string) {}

  get id() {
    return b64url(this.credentialId);
  }

  private rpIdOf(o: CeremonyOptions, over: Overrides) {
    return over.rpId ?? o.rp?.id ?? o.rpId ?? new URL(this.origin).hostname;
  }

  private clientData(type: string, o: CeremonyOptions, over: Overrides) {
    const challenge = over.challenge ?? o.challenge;
    return te.encode(
      JSON.stringify({ type, challenge, origin: over.origin ?? this.origin, crossOrigin: false }),
    );
  }

  /** navigator.credentials.create(): a new key, attested "none". */
  async create(options: CeremonyOptions, over: Overrides = {}) {
    this.keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    this.userHandle = options.user?.id;
    const jwk = (await crypto.subtle.exportKey("jwk", this.keys.publicKey)) as JsonWebKey;
    const cose = cbor(
      new Map<Cbor, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, fromB64url(jwk.x as string)],
        [-3, fromB64url(jwk.y as string)],
      ]),
    );
    const idLength = new Uint8Array([0, this.credentialId.length]);
    const authData = concat(
      await sha256(te.encode(this.rpIdOf(options, over))),
      new Uint8Array([UP | UV | AT]),
      u32(0),
      new Uint8Array(16), // AAGUID: none
      idLength,
      this.credentialId,
      cose,
    );
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authData],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key" as const,
      response: {
        clientDataJSON: b64url(this.clientData("webauthn.create", options, over)),
        attestationObject: b64url(attestationObject),
        transports: ["internal" as const],
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform" as const,
    };
  }

  /** navigator.credentials.get(): an assertion signed by the key, the counter moved on. */
  async get(options: CeremonyOptions, over: Overrides = {}) {
    const clientDataJSON = this.clientData("webauthn.get", options, over);
    const authData = concat(
      await sha256(te.encode(this.rpIdOf(options, over))),
      new Uint8Array([UP | UV]),
      u32(this.counter),
    );
    if (this.counter > 0) this.counter++;
    const signed = concat(authData, await sha256(clientDataJSON));
    const raw = new Uint8Array(
      await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, this.keys.privateKey, signed),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key" as const,
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(derSignature(raw)),
        ...(this.userHandle ? { userHandle: this.userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform" as const,
    };
  }
}
