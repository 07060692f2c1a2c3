/**
 * Enrolment: an enroll (or admin) token and a host name give a host (created, or found by org +
 * name) and a fresh agent token; the host's earlier agent tokens are revoked in the same batch.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { EnrollRequest, EnrollResponse } from "../../agent/protocol";
import { type Db, runBatch } from "../db/client";
import { hosts, tokens } from "../db/schema";
import { newId } from "../lib/ids";
import { audit } from "./audit";
import { forgetAgentTokens } from "./auth";
import { mintToken } from "./tokens";

export async function enrollHost(db: Db, orgId: string, request: EnrollRequest): Promise<EnrollResponse> {
  const { name, ...facts } = request;
  const now = Date.now();
  const [existing] = await db
    .select({ id: hosts.id, facts: hosts.facts })
    .from(hosts)
    .where(and(eq(hosts.orgId, orgId), eq(hosts.name, name)));
  const hostId = existing?.id ?? newId("hst");
  const { token, insert } = await mintToken(db, {
    orgId,
    scope: "agent",
    name: `agent ${name}`,
    hostId,
    now,
  });

  const upsertHost = db
    .insert(hosts)
    .values({ id: hostId, orgId, name, facts, createdAt: now })
    .onConflictDoUpdate({
      target: [hosts.orgId, hosts.name],
      set: { facts: { ...existing?.facts, ...facts } },
    });
  const revokeOld = db
    .update(tokens)
    .set({ revokedAt: now })
    .where(
      and(
        eq(tokens.orgId, orgId),
        eq(tokens.hostId, hostId),
        eq(tokens.scope, "agent"),
        isNull(tokens.revokedAt),
      ),
    );
  const record = audit(db, orgId, "token.create", token.id, `agent token for host "${name}" (enrolment)`);
  await runBatch(db, [upsertHost, revokeOld, insert, record]);
  forgetAgentTokens({ hostId });
  return { hostId, agentToken: token.token };
}
