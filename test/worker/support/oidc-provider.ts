/**
 * A small OpenID Connect provider for tests, built from jose keys: discovery, an authorization
 * endpoint that signs in `person` at once (no login page), a token endpoint (client secret, PKCE
 * S256, single-use codes, redirect URI checked) and its JWKS. `handle` is a fetch handler: the
 * Worker tests answer the Worker's fetches with it, the browser tests serve it over node:http.
 * `tamper` spoils the next ID token the way a forger or a misconfigured issuer would.
 */
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export interface Person {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface Tamper {
  /** Claims over the honest ones (iss, aud, exp, nonce, …). */
  claims?: Record<string, unknown>;
  /** "stranger": signed by another key under the issuer's key id; "none": unsigned. */
  sign?: "stranger" | "none";
}

interface Grant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string;
  person: Person;
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
const part = (value: unknown) => b64url(new TextEncoder().encode(JSON.stringify(value)));
const random = () => b64url(crypto.getRandomValues(new Uint8Array(24)));
const s256 = async (verifier: string) =>
  b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
const oauthError = (error: string, status = 400) =>
  Response.json({ error, error_description: error }, { status, headers: { "cache-control": "no-store" } });

export type OidcProvider = Awaited<ReturnType<typeof oidcProvider>>;

export async function oidcProvider(issuer: string, clientId: string, clientSecret: string) {
  const kid = random();
  const keys = await generateKeyPair("RS256", { extractable: true });
  const stranger = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(keys.publicKey)), kid, alg: "RS256", use: "sig" };
  const codes = new Map<string, Grant>();

  const provider = {
    issuer,
    /** Who the authorization endpoint signs in. */
    person: { sub: random(), email: "ada@example.com", email_verified: true, name: "Ada" } as Person,
    /** Spoils the next ID token, then clears. */
    tamper: undefined as Tamper | undefined,
    /** Codes the token endpoint redeemed (so a test can replay one). */
    redeemed: [] as string[],
    handle,
  };

  async function idToken(grant: Grant) {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      ...grant.person,
      iss: issuer,
      aud: clientId,
      iat: now,
      exp: now + 300,
      nonce: grant.nonce,
      ...provider.tamper?.claims,
    };
    const how = provider.tamper?.sign;
    provider.tamper = undefined;
    if (how === "none") return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
      .sign(how === "stranger" ? stranger.privateKey : keys.privateKey);
  }

  function authorize(url: URL) {
    const q = url.searchParams;
    const redirectUri = q.get("redirect_uri");
    if (q.get("client_id") !== clientId || !redirectUri) return oauthError("invalid_client");
    const back = new URL(redirectUri);
    const fail = (error: string) => {
      back.searchParams.set("error", error);
      back.searchParams.set("state", q.get("state") ?? "");
      return new Response(null, { status: 302, headers: { location: back.href } });
    };
    if (q.get("response_type") !== "code") return fail("unsupported_response_type");
    if (!q.get("scope")?.split(" ").includes("openid")) return fail("invalid_scope");
    const challenge = q.get("code_challenge");
    if (q.get("code_challenge_method") !== "S256" || !challenge) return fail("invalid_request");
    const code = random();
    codes.set(code, {
      clientId,
      redirectUri,
      challenge,
      nonce: q.get("nonce") ?? "",
      person: provider.person,
    });
    back.searchParams.set("code", code);
    back.searchParams.set("state", q.get("state") ?? "");
    return new Response(null, { status: 302, headers: { location: back.href } });
  }

  async function token(req: Request) {
    const basic = /^Basic (.+)$/.exec(req.headers.get("authorization") ?? "")?.[1];
    const [id, secret] = basic ? atob(basic).split(":").map(decodeURIComponent) : [];
    if (id !== clientId || secret !== clientSecret) return oauthError("invalid_client", 401);
    const form = new URLSearchParams(new TextDecoder().decode(await req.arrayBuffer()));
    if (form.get("grant_type") !== "authorization_code") return oauthError("unsupported_grant_type");
    const code = form.get("code") ?? "";
    const grant = codes.get(code);
    codes.delete(code); // single use, whatever happens next
    if (!grant) return oauthError("invalid_grant");
    if (form.get("redirect_uri") !== grant.redirectUri) return oauthError("invalid_grant");
    if ((await s256(form.get("code_verifier") ?? "")) !== grant.challenge) return oauthError("invalid_grant");
    provider.redeemed.push(code);
    return Response.json(
      { access_token: random(), token_type: "Bearer", expires_in: 300, id_token: await idToken(grant) },
      { headers: { "cache-control": "no-store" } },
    );
  }

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const path = url.href.startsWith(issuer)
      ? url.pathname.slice(new URL(issuer).pathname.replace(/\/$/, "").length)
      : null;
    if (path === "/.well-known/openid-configuration")
      return Response.json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic"],
        scopes_supported: ["openid", "email", "profile"],
      });
    if (path === "/jwks") return Response.json({ keys: [jwk] });
    if (path === "/authorize" && req.method === "GET") return authorize(url);
    if (path === "/token" && req.method === "POST") return token(req);
    return new Response("not found", { status: 404 });
  }

  return provider;
}
