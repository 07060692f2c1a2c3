/** Resolves a presented token to a principal. */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { memberships, type Role, type TokenScope, tokens } from "../../db/schema";
import type { Env, Principal } from "../../env";
import { constantTimeEqual, sha256Hex } from "../../lib/crypto";
import { MINUTE } from "../../lib/time";

export const DEFAULT_ORG = "org_default";

/** lastUsedAt is a hint for humans: refreshing it at most once a minute keeps reports write-free. */
const TOUCH_EVERY_MS = MINUTE;

/**
 * Agent tokens resolved in this isolate, kept for AGENT_CACHE_MS. An agent reports every few
 * seconds, and a steady report must make no D1 call (bench:ingest). Revocation and re-enrolment
 * drop the entry here at once, and every agent request goes on to the host's object, which the
 * revocation also told (objects/host/revoked.ts): so another isolate's cached entry is refused
 * there at once. Expiry is checked on every use. People's tokens are not cached: they call
 * rarely, and revoking one, or changing its owner's role, must bite everywhere at once.
 */
const AGENT_CACHE_MS = 10 * 60_000;
const AGENT_CACHE_MAX = 10_000;
const agentTokens = new Map<string, { principal: Principal; until: number; expiresAt: number | null }>();

/** Drops cached agent tokens: by token id (revocation) or by host (re-enrolment). */
export function forgetAgentTokens(which: { tokenId?: string; hostId?: string }): void {
  for (const [hash, entry] of agentTokens) {
    const p = entry.principal;
    if ((which.tokenId && p.tokenId === which.tokenId) || (which.hostId && p.hostId === which.hostId))
      agentTokens.delete(hash);
  }
}

const ROLE_RANK: Record<Role, number> = { read: 1, operator: 2, admin: 3 };
const isRole = (scope: TokenScope): scope is Role => scope in ROLE_RANK;

/**
 * The scope a person's token acts with now: never above the owner's current role in the token's
 * org, and nothing once they have left it (null). A dashboard scope is lowered to the role, so a
 * demoted person's script keeps what they may still do. The other scopes are not roles: "metrics"
 * reads less than "read" and needs only membership; "enroll" adds hosts to the org, which only
 * admins arrange, so it needs an admin owner. Agent tokens belong to hosts, never to people.
 */
export function ownedScope(scope: TokenScope, role: Role | null): TokenScope | null {
  if (role === null) return null;
  if (isRole(scope)) return ROLE_RANK[scope] <= ROLE_RANK[role] ? scope : role;
  if (scope === "enroll") return role === "admin" ? scope : null;
  return scope;
}

/** The env tokens' hashes, computed once per isolate rather than twice per request. */
const envHashes = new Map<string, Promise<string>>();
function envHash(value: string): Promise<string> {
  let hash = envHashes.get(value);
  if (!hash) {
    hash = sha256Hex(value);
    envHashes.set(value, hash);
  }
  return hash;
}

/** The SHA-256 of the environment's admin token, or null when it is unset. */
export function adminTokenHash(env: Env): Promise<string> | null {
  return env.SELFHEAL_ADMIN_TOKEN ? envHash(env.SELFHEAL_ADMIN_TOKEN) : null;
}

const PLATFORM = {
  scope: "admin",
  orgId: "",
  tokenId: null,
  hostId: null,
  name: "SELFHEAL_PLATFORM_TOKEN",
} as const;

/** The display name of the environment's bootstrap admin token (SELFHEAL_ADMIN_TOKEN). */
export const ENV_ADMIN_NAME = "Administrator";

export async function resolveToken(
  db: Db,
  env: Env,
  presented: string,
  now: number,
): Promise<Principal | null> {
  if (!presented || presented.length > 256) return null;
  const hash = await sha256Hex(presented);
  // An agent's report is the common request: its cached entry first. Only a token read from D1
  // with the agent scope is cached, so an environment token never answers from here.
  const cached = agentTokens.get(hash);
  if (cached && cached.until > now) {
    if (cached.expiresAt === null || cached.expiresAt > now) return cached.principal;
    agentTokens.delete(hash);
    return null;
  }
  if (env.SELFHEAL_ADMIN_TOKEN && constantTimeEqual(hash, await envHash(env.SELFHEAL_ADMIN_TOKEN))) {
    // what people read in the dashboard, the audit log and "acknowledged by": not a variable's name
    return { scope: "admin", orgId: DEFAULT_ORG, tokenId: null, hostId: null, name: ENV_ADMIN_NAME };
  }
  if (env.SELFHEAL_PLATFORM_TOKEN && constantTimeEqual(hash, await envHash(env.SELFHEAL_PLATFORM_TOKEN))) {
    // Belongs to no org: the auth middleware lets it reach /api/v1/orgs and nothing else.
    return { ...PLATFORM, platform: true };
  }
  const [found] = await db
    .select({ row: tokens, ownerRole: memberships.role })
    .from(tokens)
    .leftJoin(
      memberships,
      and(eq(memberships.userId, tokens.ownerUserId), eq(memberships.orgId, tokens.orgId)),
    )
    .where(and(eq(tokens.hash, hash), isNull(tokens.revokedAt)))
    .limit(1);
  if (!found) return null;
  const { row } = found;
  if (row.expiresAt !== null && row.expiresAt <= now) return null;
  // Read on every use (people's tokens are never cached), so a demotion bites on the next request.
  const scope = row.ownerUserId === null ? row.scope : ownedScope(row.scope, found.ownerRole ?? null);
  if (scope === null) return null;
  if (row.lastUsedAt === null || now - row.lastUsedAt >= TOUCH_EVERY_MS) {
    await db.update(tokens).set({ lastUsedAt: now }).where(eq(tokens.id, row.id));
  }
  const principal: Principal = {
    scope,
    orgId: row.orgId,
    tokenId: row.id,
    hostId: row.hostId,
    name: row.name,
    userId: row.ownerUserId,
  };
  if (row.scope === "agent" && row.ownerUserId === null) {
    if (agentTokens.size >= AGENT_CACHE_MAX) agentTokens.delete(agentTokens.keys().next().value as string);
    agentTokens.set(hash, { principal, until: now + AGENT_CACHE_MS, expiresAt: row.expiresAt });
  }
  return principal;
}
