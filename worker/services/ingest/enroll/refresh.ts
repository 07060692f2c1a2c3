/**
 * POST /api/v1/agent/refresh: a host whose agent token was refused proves its key and gets a fresh
 * one. No bearer token: the proof is the credential, so every refusal reads the same until the
 * signature verifies (an unknown host id tells a prober nothing).
 */
import { eq } from "drizzle-orm";
import type { EnrollResponse, RefreshRequest } from "../../../../agent/protocol";
import { type Db, runBatch } from "../../../db/client";
import { hosts } from "../../../db/schema";
import { audit, runAs } from "../../tenancy/audit";
import { forgetAgentTokens } from "../../tenancy/principal";
import { freshAgentToken } from "./agent-token";
import { guardError, proofRefused, verifyKeyProof } from "./key-proof";

export async function refreshHostToken(db: Db, request: RefreshRequest): Promise<EnrollResponse> {
  const now = Date.now();
  const [host] = await db
    .select({
      id: hosts.id,
      orgId: hosts.orgId,
      name: hosts.name,
      publicKey: hosts.publicKey,
      keyProofAt: hosts.keyProofAt,
    })
    .from(hosts)
    .where(eq(hosts.id, request.hostId));
  if (!host?.publicKey || host.name !== request.name)
    throw proofRefused(
      "no host of this id and name has a host key (re-enrol it with an admin's re-enroll token)",
    );
  const proofAt = await verifyKeyProof(host.publicKey, host.name, request.proof, host.keyProofAt, now);
  // The host acts for itself here: no token names it, so the audit entry does.
  return runAs(
    { tokenId: null, userId: null, name: `host key of ${host.name}`, scope: "agent" },
    async () => {
      const fresh = await freshAgentToken(db, host, "key refresh", now);
      await runBatch(db, [
        db.update(hosts).set({ keyProofAt: proofAt }).where(eq(hosts.id, host.id)),
        ...fresh.statements,
        audit(
          db,
          host.orgId,
          "host.key-refresh",
          host.id,
          `host "${host.name}" proved its host key for a new agent token`,
        ),
      ]).catch((err) => {
        throw guardError(err);
      });
      forgetAgentTokens({ hostId: host.id });
      return { hostId: host.id, agentToken: fresh.token };
    },
  );
}
