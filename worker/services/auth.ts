/** Resolves a presented token to a principal. */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { tokens } from "../db/schema";
import type { Env, Principal } from "../env";
import { constantTimeEqual, sha256Hex } from "../lib/crypto";
import { MINUTE } from "../lib/time";

export const DEFAULT_ORG = "org_default";

/** lastUsedAt is a hint for humans: refreshing it at most once a minute keeps reports write-free. */
const TOUCH_EVERY_MS = MINUTE;

const PLATFORM = {
  scope: "admin",
  orgId: "",
  tokenId: null,
  hostId: null,
  name: "SELFHEAL_PLATFORM_TOKEN",
} as const;

export async function resolveToken(
  db: Db,
  env: Env,
  presented: string,
  now: number,
): Promise<Principal | null> {
  if (!presented || presented.length > 256) return null;
  const hash = await sha256Hex(presented);
  if (env.SELFHEAL_ADMIN_TOKEN && constantTimeEqual(hash, await sha256Hex(env.SELFHEAL_ADMIN_TOKEN))) {
    return { scope: "admin", orgId: DEFAULT_ORG, tokenId: null, hostId: null, name: "SELFHEAL_ADMIN_TOKEN" };
  }
  if (env.SELFHEAL_PLATFORM_TOKEN && constantTimeEqual(hash, await sha256Hex(env.SELFHEAL_PLATFORM_TOKEN))) {
    // Belongs to no org: the auth middleware lets it reach /api/v1/orgs and nothing else.
    return { ...PLATFORM, platform: true };
  }
  const [row] = await db
    .select()
    .from(tokens)
    .where(and(eq(tokens.hash, hash), isNull(tokens.revokedAt)))
    .limit(1);
  if (!row || (row.expiresAt !== null && row.expiresAt <= now)) return null;
  if (row.lastUsedAt === null || now - row.lastUsedAt >= TOUCH_EVERY_MS) {
    await db.update(tokens).set({ lastUsedAt: now }).where(eq(tokens.id, row.id));
  }
  return { scope: row.scope, orgId: row.orgId, tokenId: row.id, hostId: row.hostId, name: row.name };
}
