/**
 * DELETE /api/v1/hosts/{id}: an admin retires a host that is gone for good. In one batch: its
 * agent and re-enroll tokens are revoked, its key forgotten (so no key refresh brings it back;
 * only an admin's re-enroll token does), its unresolved issues resolved (with their resolved
 * events, so pagers close). Its samples, issues and history stay until retention removes them;
 * from now on it counts in no fleet page, gate, storm or silence check.
 */
import { and, eq, isNull, ne } from "drizzle-orm";
import { type Db, runBatch, type Statement } from "../../db/client";
import { hosts, issues, tokens } from "../../db/schema";
import { conflict, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { EDGE_HOST } from "../edge/run-checks";
import { notifyStatement } from "../notify/outbox";
import { audit } from "../tenancy/audit";
import { forgetAgentTokens } from "../tenancy/principal";
import { hostRef } from "./host-ref";

export async function retireHost(db: Db, orgId: string, idOrName: string) {
  const now = Date.now();
  const [host] = await db
    .select({ id: hosts.id, name: hosts.name, retiredAt: hosts.retiredAt })
    .from(hosts)
    .where(hostRef(orgId, idOrName))
    .limit(1);
  if (!host || host.name === EDGE_HOST) throw notFound("host");
  if (host.retiredAt !== null)
    throw conflict(`host "${host.name}" was already retired at ${iso(host.retiredAt)}`);
  const open = await db
    .select({ id: issues.id, detectedAt: issues.detectedAt, cause: issues.cause })
    .from(issues)
    .where(and(eq(issues.orgId, orgId), eq(issues.hostId, host.id), ne(issues.status, "resolved")));
  const resolutions: Statement[] = open.flatMap((i) => [
    db
      .update(issues)
      .set({
        status: "resolved",
        resolvedAt: now,
        mttrSeconds: Math.round((now - i.detectedAt) / 100) / 10,
        updatedAt: now,
        recoveryHold: "host retired",
      })
      .where(and(eq(issues.id, i.id), ne(issues.status, "resolved"))),
    ...(i.cause
      ? [
          notifyStatement(db, {
            orgId,
            issueId: i.id,
            event: "resolved",
            now,
            detail: { reason: "host retired" },
          }),
        ]
      : []),
  ]);
  const [retired, revoked] = await runBatch(db, [
    db
      .update(hosts)
      .set({ retiredAt: now, publicKey: null, keyProofAt: null })
      .where(and(eq(hosts.id, host.id), isNull(hosts.retiredAt))),
    db
      .update(tokens)
      .set({ revokedAt: now })
      .where(and(eq(tokens.orgId, orgId), eq(tokens.hostId, host.id), isNull(tokens.revokedAt))),
    ...resolutions,
    audit(
      db,
      orgId,
      "host.retire",
      host.id,
      `host "${host.name}" retired: tokens revoked, ${open.length} issues resolved`,
    ),
  ]);
  if (retired.meta.changes === 0) throw conflict(`host "${host.name}" was already retired`);
  forgetAgentTokens({ hostId: host.id });
  return {
    id: host.id,
    name: host.name,
    retiredAt: iso(now),
    tokensRevoked: revoked.meta.changes,
    issuesResolved: open.length,
  };
}
