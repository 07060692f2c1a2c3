/**
 * OpenID Connect with any issuer, found by discovery: the authorization code flow with PKCE, state
 * and nonce, through oauth4webapi (panva's, runs on workerd's fetch and WebCrypto). The ID token
 * is checked for issuer, audience, expiry, nonce and its signature against the issuer's JWKS (over
 * TLS the spec lets a client skip the signature; we do not).
 */
import * as oauth from "oauth4webapi";
import type { Env } from "../../env";
import { ApiError } from "../../lib/errors";

export interface OidcConfig {
  issuer: URL;
  clientId: string;
  clientSecret: string | null;
  /** What the sign-in button says: "Sign in with <name>". */
  name: string;
}

export function oidcConfig(env: Env): OidcConfig | null {
  const { SELFHEAL_OIDC_ISSUER: issuer, SELFHEAL_OIDC_CLIENT_ID: clientId } = env;
  if (!issuer || !clientId) return null;
  const url = new URL(issuer);
  return {
    issuer: url,
    clientId,
    clientSecret: env.SELFHEAL_OIDC_CLIENT_SECRET ?? null,
    name: env.SELFHEAL_OIDC_NAME ?? url.hostname,
  };
}

const METADATA_FOR_MS = 10 * 60_000;
const TIMEOUT_MS = 5_000;
/**
 * The issuer's metadata for ten minutes. oauth4webapi keeps an issuer's JWKS per metadata
 * object, so reusing the object also spares a JWKS fetch per sign-in.
 */
const discovered = new Map<string, { as: oauth.AuthorizationServer; until: number }>();

/** Plain http only for an issuer on this machine (local development and tests). */
const options = (cfg: OidcConfig) => ({
  [oauth.allowInsecureRequests]: cfg.issuer.protocol === "http:",
  signal: AbortSignal.timeout(TIMEOUT_MS),
});

export const refused = (why: string) =>
  new ApiError("UNAUTHORIZED", `OpenID Connect sign-in refused: ${why}`);

async function metadata(cfg: OidcConfig, now: number): Promise<oauth.AuthorizationServer> {
  const key = cfg.issuer.href;
  const cached = discovered.get(key);
  if (cached && cached.until > now) return cached.as;
  let as: oauth.AuthorizationServer;
  try {
    const res = await oauth.discoveryRequest(cfg.issuer, { ...options(cfg), algorithm: "oidc" });
    as = await oauth.processDiscoveryResponse(cfg.issuer, res);
  } catch (err) {
    throw refused(`the issuer's discovery failed (${messageOf(err)})`);
  }
  if (!as.authorization_endpoint || !as.token_endpoint || !as.jwks_uri)
    throw refused("the issuer's discovery names no authorization, token or JWKS endpoint");
  discovered.set(key, { as, until: now + METADATA_FOR_MS });
  return as;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

const client = (cfg: OidcConfig): oauth.Client => ({ client_id: cfg.clientId });
const clientAuth = (cfg: OidcConfig) =>
  cfg.clientSecret ? oauth.ClientSecretBasic(cfg.clientSecret) : oauth.None();

export interface Pending {
  state: string;
  codeVerifier: string;
  nonce: string;
}

/** Fresh state, PKCE verifier and nonce, and the issuer's authorization URL asking for them. */
export async function authorizationUrl(cfg: OidcConfig, redirectUri: string, now: number) {
  const as = await metadata(cfg, now);
  const pending: Pending = {
    state: oauth.generateRandomState(),
    codeVerifier: oauth.generateRandomCodeVerifier(),
    nonce: oauth.generateRandomNonce(),
  };
  const url = new URL(as.authorization_endpoint as string);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: cfg.clientId,
    redirect_uri: redirectUri,
    scope: "openid email profile",
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: "S256",
  }).toString();
  return { url: url.href, pending };
}

export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

/**
 * Trades the callback's code for tokens and returns the verified ID token's person. Anything the
 * issuer or the browser got wrong is a 401 naming what failed.
 */
export async function redeemCode(
  cfg: OidcConfig,
  callback: URL,
  redirectUri: string,
  pending: Pending,
  now: number,
): Promise<VerifiedIdentity> {
  const as = await metadata(cfg, now);
  const c = client(cfg);
  let claims: oauth.IDToken | undefined;
  try {
    const params = oauth.validateAuthResponse(as, c, callback.searchParams, pending.state);
    const res = await oauth.authorizationCodeGrantRequest(
      as,
      c,
      clientAuth(cfg),
      params,
      redirectUri,
      pending.codeVerifier,
      options(cfg),
    );
    const result = await oauth.processAuthorizationCodeResponse(as, c, res, {
      expectedNonce: pending.nonce,
      requireIdToken: true,
    });
    await oauth.validateApplicationLevelSignature(as, res, options(cfg));
    claims = oauth.getValidatedIdTokenClaims(result);
  } catch (err) {
    throw refused(messageOf(err));
  }
  if (!claims) throw refused("no ID token");
  const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : null);
  const email = text(claims.email)?.toLowerCase() ?? null;
  return {
    issuer: claims.iss,
    subject: claims.sub,
    email: email?.includes("@") ? email : null,
    emailVerified: claims.email_verified === true,
    name: text(claims.name) ?? text(claims.preferred_username),
  };
}
