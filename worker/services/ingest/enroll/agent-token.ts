/** The statements that give a host one fresh agent token: its earlier ones revoked, the new one minted. */
import { and, eq, isNull } from "drizzle-orm";
import type { Db, Statement } from "../../../db/client";
import { tokens } from "../../../db/schema";
import { audit } from "../../tenancy/audit";
import { mintToken } from "../../tenancy/tokens";

export async function freshAgentToken(
  db: Db,
  host: { orgId: string; id: string; name: string },
  why: string,
  now: number,
): Promise<{ token: string; statements: Statement[] }> {
  const { token, insert } = await mintToken(db, {
    orgId: host.orgId,
    scope: "agent",
    name: `agent ${host.name}`,
    hostId: host.id,
    now,
  });
  return {
    token: token.token,
    statements: [
      revokeAgentTokens(db, host.orgId, host.id, now),
      insert,
      audit(db, host.orgId, "token.create", token.id, `agent token for host "${host.name}" (${why})`),
    ],
  };
}

export function revokeAgentTokens(db: Db, orgId: string, hostId: string, now: number) {
  return db
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
}
