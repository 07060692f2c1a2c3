/**
 * Cloudflare Access in front of the dashboard: Access adds a signed JWT (`Cf-Access-Jwt-Assertion`)
 * to every request it lets through, whatever identity provider the team uses. It is verified here
 * against the team's public keys (RS256 only; issuer, AUD tag and time checked), and its email
 * names the person, who must already have an account (made by an invitation link).
 */
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { memberships, users } from "../../db/schema";
import type { Env } from "../../env";
import { ApiError } from "../../lib/errors";

interface AccessConfig {
  issuer: string;
  aud: string;
  certsUrl: string;
}

export function accessConfig(env: Env): AccessConfig | null {
  const team = env.SELFHEAL_ACCESS_TEAM_DOMAIN;
  const aud = env.SELFHEAL_ACCESS_AUD;
  if (!team || !aud) return null;
  const issuer = `https://${team}`;
  return { issuer, aud, certsUrl: env.SELFHEAL_ACCESS_CERTS_URL ?? `${issuer}/cdn-cgi/access/certs` };
}

const KEYS_FOR_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;
const LEEWAY_S = 60;
/** The team's keys, per certs URL, for ten minutes (Access rotates them every six weeks). */
const keySets = new Map<string, { keys: JsonWebKey[]; until: number }>();

async function teamKeys(url: string, now: number, fresh: boolean): Promise<JsonWebKey[]> {
  const cached = keySets.get(url);
  if (cached && cached.until > now && !fresh) return cached.keys;
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!res.ok) throw new ApiError("UNAUTHORIZED", `Cloudflare Access keys unavailable (${res.status})`);
  const body = (await res.json()) as { keys?: JsonWebKey[] };
  const keys = Array.isArray(body.keys) ? body.keys : [];
  keySets.set(url, { keys, until: now + KEYS_FOR_MS });
  return keys;
}

const refuse = (why: string) => new ApiError("UNAUTHORIZED", `Cloudflare Access assertion refused: ${why}`);

function decodePart<T>(part: string): T {
  const bin = atob(part.replaceAll("-", "+").replaceAll("_", "/"));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)))) as T;
}
const bytesOf = (part: string) =>
  Uint8Array.from(atob(part.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));

/** The verified assertion's email (lower-cased). */
export async function verifyAccessAssertion(cfg: AccessConfig, jwt: string, now: number): Promise<string> {
  const parts = jwt.split(".");
  if (parts.length !== 3 || jwt.length > 8192) throw refuse("not a JWT");
  let header: { alg?: string; kid?: string };
  let claims: { iss?: string; aud?: string | string[]; exp?: number; nbf?: number; email?: string };
  try {
    header = decodePart(parts[0]);
    claims = decodePart(parts[1]);
  } catch {
    throw refuse("unreadable");
  }
  // Only what Access signs with: never "none", never an HMAC keyed by a public key.
  if (header.alg !== "RS256" || typeof header.kid !== "string") throw refuse("not RS256 with a key id");
  let jwk = (await teamKeys(cfg.certsUrl, now, false)).find(
    (k) => (k as { kid?: string }).kid === header.kid,
  );
  jwk ??= (await teamKeys(cfg.certsUrl, now, true)).find((k) => (k as { kid?: string }).kid === header.kid);
  if (!jwk) throw refuse("signed by an unknown key");
  const key = await crypto.subtle.importKey(
    "jwk",
    { kty: jwk.kty, n: jwk.n, e: jwk.e },
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  let valid = false;
  try {
    valid = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, bytesOf(parts[2]), signed);
  } catch {
    valid = false;
  }
  if (!valid) throw refuse("bad signature");
  const seconds = now / 1000;
  if (claims.iss !== cfg.issuer) throw refuse("another issuer");
  const auds = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!auds.includes(cfg.aud)) throw refuse("another application (AUD)");
  if (typeof claims.exp !== "number" || claims.exp + LEEWAY_S <= seconds) throw refuse("expired");
  if (typeof claims.nbf === "number" && claims.nbf - LEEWAY_S > seconds) throw refuse("not yet valid");
  if (typeof claims.email !== "string" || !claims.email.includes("@")) throw refuse("no email");
  return claims.email.toLowerCase();
}

/** The person with this email and their membership: of `orgId` if given, else their first org. */
export async function accessMember(db: Db, email: string, orgId?: string) {
  const rows = await db
    .select({ userId: users.id, name: users.name, orgId: memberships.orgId, role: memberships.role })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .where(and(eq(users.email, email), orgId ? eq(memberships.orgId, orgId) : undefined))
    .orderBy(asc(memberships.createdAt))
    .limit(1);
  if (!rows[0])
    throw new ApiError(
      "FORBIDDEN",
      `${email} has no account${orgId ? " in that org" : ""} here: ask an admin for an invitation link`,
    );
  return rows[0];
}
