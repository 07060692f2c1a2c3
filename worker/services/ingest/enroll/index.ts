/**
 * Enrolment: an enroll (or admin) token and a host name give a host and a fresh agent token; the
 * host's earlier agent tokens are revoked in the same batch. A name binds an identity: a name
 * already enrolled is refused (409) unless the request proves the host's key, or carries the
 * single-use re-enroll token an admin issued for that host (re-enroll.ts). Enroll tokens may be
 * limited in uses and host groups: limits on the hosts a token brings in (a new host, or one
 * re-enrolled by an admin), each spending one use. A host proving its own key is no new host: it
 * spends no use, so moving the fleet to a new server URL works with a spent rollout token.
 */
import { and, eq, sql } from "drizzle-orm";
import type { EnrollRequest, EnrollResponse } from "../../../../agent/protocol";
import { type Db, runBatch, type Statement } from "../../../db/client";
import { hosts, tokens } from "../../../db/schema";
import type { Principal } from "../../../env";
import { ApiError, conflict } from "../../../lib/errors";
import { newId } from "../../../lib/ids";
import { audit } from "../../tenancy/audit";
import { forgetAgentTokens } from "../../tenancy/principal";
import { freshAgentToken } from "./agent-token";
import { guardError, verifyKeyProof } from "./key-proof";

type Limits = Pick<typeof tokens.$inferSelect, "id" | "uses" | "maxUses" | "hostGroups" | "hostId">;

async function limitsOf(db: Db, principal: Principal): Promise<Limits | null> {
  if (principal.scope !== "enroll" || !principal.tokenId) return null;
  const [row] = await db
    .select({
      id: tokens.id,
      uses: tokens.uses,
      maxUses: tokens.maxUses,
      hostGroups: tokens.hostGroups,
      hostId: tokens.hostId,
    })
    .from(tokens)
    .where(eq(tokens.id, principal.tokenId));
  return row ?? null;
}

function checkUses(limits: Limits | null): void {
  if (limits && limits.maxUses !== null && limits.uses >= limits.maxUses)
    throw new ApiError(
      "FORBIDDEN",
      `this enroll token has no uses left (${limits.uses} of ${limits.maxUses} used)`,
    );
}

function checkGroup(limits: Limits | null, group: string | null): void {
  const allowed = limits?.hostGroups;
  if (allowed && !(group && allowed.includes(group)))
    throw new ApiError(
      "FORBIDDEN",
      `this enroll token enrols only into host groups ${allowed.join(", ")} (${group ? `not ${group}` : "send one as group"})`,
    );
}

export async function enrollHost(
  db: Db,
  principal: Principal,
  request: EnrollRequest,
): Promise<EnrollResponse> {
  const { orgId } = principal;
  const { name, group, publicKey, proof, ...facts } = request;
  if (Boolean(publicKey) !== Boolean(proof))
    throw new ApiError("BAD_REQUEST", "send publicKey and proof together", [
      { path: publicKey ? "proof" : "publicKey", message: "required with the other" },
    ]);
  const now = Date.now();
  const limits = await limitsOf(db, principal);
  const [existing] = await db
    .select({
      id: hosts.id,
      facts: hosts.facts,
      group: hosts.group,
      publicKey: hosts.publicKey,
      keyProofAt: hosts.keyProofAt,
    })
    .from(hosts)
    .where(and(eq(hosts.orgId, orgId), eq(hosts.name, name)));

  let action: "host.enroll" | "host.key-refresh";
  let why: string;
  if (limits?.hostId) {
    // An admin's re-enroll token: good for its own host only, whatever key it had.
    if (existing?.id !== limits.hostId)
      throw new ApiError(
        "FORBIDDEN",
        `this re-enroll token is bound to another host (${limits.hostId}), not "${name}"`,
      );
    checkUses(limits);
    action = "host.enroll";
    why = "re-enrolled with its re-enroll token";
  } else if (existing) {
    if (!existing.publicKey)
      throw conflict(
        `host "${name}" is already enrolled, without a host key: an admin re-enrols it (POST /api/v1/hosts/${existing.id}/re-enroll)`,
      );
    if (publicKey !== existing.publicKey)
      throw conflict(
        `host "${name}" is already enrolled: enrol under another name, prove the host's key, or ask an admin to re-enroll it`,
      );
    action = "host.key-refresh";
    why = "proved its host key";
  } else {
    checkUses(limits);
    action = "host.enroll";
    why = "enrolment";
  }
  const proofAt =
    publicKey && proof
      ? await verifyKeyProof(
          publicKey,
          name,
          proof,
          action === "host.key-refresh" ? (existing?.keyProofAt ?? null) : null,
          now,
        )
      : null;

  const hostId = existing?.id ?? newId("hst");
  let hostGroup = existing?.group ?? null;
  const writes: Statement[] = [];
  if (limits && action === "host.enroll")
    writes.push(
      db
        .update(tokens)
        .set({ uses: sql`${tokens.uses} + 1`, lastUsedAt: now })
        .where(eq(tokens.id, limits.id)),
    );
  if (existing) {
    writes.push(
      db
        .update(hosts)
        .set({
          facts: { ...existing.facts, ...facts },
          publicKey: publicKey ?? existing.publicKey,
          keyProofAt: proofAt ?? existing.keyProofAt,
          // A retired host (whose key retirement forgot) comes back only through an admin's re-enroll token.
          retiredAt: null,
        })
        .where(eq(hosts.id, existing.id)),
    );
  } else {
    hostGroup = group ?? (limits?.hostGroups?.length === 1 ? limits.hostGroups[0] : null);
    checkGroup(limits, hostGroup);
    writes.push(
      db.insert(hosts).values({
        id: hostId,
        orgId,
        name,
        facts,
        group: hostGroup,
        publicKey,
        keyProofAt: proofAt,
        createdAt: now,
      }),
    );
  }
  const fresh = await freshAgentToken(db, { orgId, id: hostId, name }, why, now);
  const key = publicKey ? `with host key ${publicKey.slice(0, 12)}…` : "without a host key";
  const summary = `host "${name}" ${why}, ${key}${hostGroup ? `, group ${hostGroup}` : ""}`;
  writes.push(...fresh.statements, audit(db, orgId, action, hostId, summary, "ok", now));
  await runBatch(db, writes).catch((err) => {
    throw guardError(err);
  });
  forgetAgentTokens({ hostId });
  return { hostId, agentToken: fresh.token };
}
