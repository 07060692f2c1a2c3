/**
 * POST /api/v1/hosts/{id}/re-enroll: the admin's way to hand a host a new identity (reinstalled,
 * key lost, enrolled before host keys, or suspected stolen). In one batch it forgets the host's
 * key, revokes its agent tokens and earlier re-enroll tokens, and mints a single-use enroll token
 * bound to the host; only that token brings the host back (with a new key).
 */
import { and, eq, isNull } from "drizzle-orm";
import { type Db, runBatch } from "../../../db/client";
import { hosts, tokens } from "../../../db/schema";
import { notFound } from "../../../lib/errors";
import { iso } from "../../../lib/time";
import { hostRef } from "../../fleet/host-ref";
import { audit } from "../../tenancy/audit";
import { forgetAgentTokens } from "../../tenancy/principal";
import { mintToken } from "../../tenancy/tokens";
import { revokeAgentTokens } from "./agent-token";

export const RE_ENROLL_DEFAULT_S = 24 * 3600;

export async function reEnrollHost(
  db: Db,
  orgId: string,
  idOrName: string,
  expiresInSeconds = RE_ENROLL_DEFAULT_S,
) {
  const now = Date.now();
  const [host] = await db
    .select({ id: hosts.id, name: hosts.name })
    .from(hosts)
    .where(hostRef(orgId, idOrName))
    .limit(1);
  if (!host) throw notFound("host");
  const expiresAt = now + expiresInSeconds * 1000;
  const { token, insert } = await mintToken(db, {
    orgId,
    scope: "enroll",
    name: `re-enroll ${host.name}`,
    hostId: host.id,
    now,
    expiresAt,
    maxUses: 1,
  });
  const earlierReEnrolls = db
    .update(tokens)
    .set({ revokedAt: now })
    .where(
      and(
        eq(tokens.orgId, orgId),
        eq(tokens.hostId, host.id),
        eq(tokens.scope, "enroll"),
        isNull(tokens.revokedAt),
      ),
    );
  await runBatch(db, [
    db.update(hosts).set({ publicKey: null, keyProofAt: null }).where(eq(hosts.id, host.id)),
    revokeAgentTokens(db, orgId, host.id, now),
    earlierReEnrolls,
    insert,
    audit(
      db,
      orgId,
      "host.re-enroll",
      host.id,
      `host "${host.name}": key and agent tokens revoked, single-use re-enroll token ${token.id} issued`,
    ),
    audit(
      db,
      orgId,
      "token.create",
      token.id,
      `re-enroll token for host "${host.name}", expires ${iso(expiresAt)}`,
    ),
  ]);
  forgetAgentTokens({ hostId: host.id });
  return {
    hostId: host.id,
    name: host.name,
    tokenId: token.id,
    token: token.token,
    expiresAt: iso(expiresAt),
  };
}
