/**
 * An admin resets the guardrail that holds an issue (the circuit breaker or the crash-loop hold):
 * failures and restarts of its host and target before now stop counting, the issue goes back to
 * open so the engine tries again at the host's next report, and the audit log says who did it.
 * The history rows stay as they were (metrics and learning still read them).
 */
import { and, eq } from "drizzle-orm";
import { type Db, runBatch } from "../../db/client";
import { guardrailResets, issues } from "../../db/schema";
import type { Principal } from "../../env";
import { conflict, notFound } from "../../lib/errors";
import { getIssue } from "../issues/read";
import { audit } from "../tenancy/audit";

/** The holds an admin may reset: what failed or restarted before, not a policy or a person's decision. */
export const resettableHold = (hold: string | null) =>
  hold !== null && (hold.startsWith("circuit breaker") || hold.startsWith("crash loop"));

export async function resetGuardrail(db: Db, principal: Principal, id: string, now = Date.now()) {
  const { orgId } = principal;
  const [row] = await db
    .select({
      hostId: issues.hostId,
      target: issues.target,
      status: issues.status,
      hold: issues.recoveryHold,
    })
    .from(issues)
    .where(and(eq(issues.id, id), eq(issues.orgId, orgId)));
  if (!row) throw notFound("issue");
  if (row.status !== "escalated" || !resettableHold(row.hold))
    throw conflict("the issue is not held by a circuit breaker or a crash loop");
  const what = (row.hold as string).startsWith("circuit breaker") ? "circuit breaker" : "crash-loop hold";
  await runBatch(db, [
    db
      .insert(guardrailResets)
      .values({ orgId, hostId: row.hostId, target: row.target, resetAt: now, resetBy: principal.name })
      .onConflictDoUpdate({
        target: [guardrailResets.hostId, guardrailResets.target],
        set: { resetAt: now, resetBy: principal.name, orgId },
      }),
    db
      .update(issues)
      .set({ status: "open", escalatedAt: null, recoveryHold: null, updatedAt: now })
      .where(and(eq(issues.id, id), eq(issues.orgId, orgId), eq(issues.status, "escalated"))),
    audit(
      db,
      orgId,
      "guardrail.reset",
      id,
      `reset the ${what} on ${row.target || "the host"} for issue ${id}: ${row.hold}`,
      "ok",
      now,
    ),
  ]);
  return { hostId: row.hostId, issue: await getIssue(db, orgId, id) };
}
