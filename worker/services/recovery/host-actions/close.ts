/**
 * An operator issue whose command was refused or failed stays escalated: the engine never
 * resolves it (nothing it watches clears). A person closes it with a reason, kept in the
 * evidence and the audit log. It closes without an MTTR: nothing was recovered.
 */
import { and, eq } from "drizzle-orm";
import { type Db, runBatch } from "../../../db/client";
import { issues } from "../../../db/schema";
import type { Principal } from "../../../env";
import { conflict, notFound } from "../../../lib/errors";
import { getIssue } from "../../issues/read";
import { notifyStatement } from "../../notify/outbox";
import { audit } from "../../tenancy/audit";

export async function closeOperatorIssue(
  db: Db,
  principal: Principal,
  id: string,
  reason: string,
  now = Date.now(),
) {
  const { orgId } = principal;
  const [row] = await db
    .select({ source: issues.source, status: issues.status, evidence: issues.evidence })
    .from(issues)
    .where(and(eq(issues.id, id), eq(issues.orgId, orgId)));
  if (!row) throw notFound("issue");
  if (row.source !== "operator")
    throw conflict("only an operator action's issue is closed by hand: the engine resolves its own");
  if (row.status !== "escalated")
    throw conflict(
      row.status === "resolved"
        ? "the issue is already resolved"
        : `the issue is ${row.status}: it can be closed once its action was refused or failed`,
    );
  const closed = { by: principal.name, reason, at: new Date(now).toISOString() };
  await runBatch(db, [
    db
      .update(issues)
      .set({
        status: "resolved",
        resolvedAt: now,
        updatedAt: now,
        recoveryHold: null,
        evidence: { ...row.evidence, closed },
      })
      // guarded by the status read: a retry started in between wins
      .where(and(eq(issues.id, id), eq(issues.orgId, orgId), eq(issues.status, "escalated"))),
    notifyStatement(db, {
      orgId,
      issueId: id,
      event: "resolved",
      now,
      detail: { closedBy: principal.name, reason },
    }),
    audit(db, orgId, "issue.close", id, `closed issue ${id}: ${reason}`, "ok", now),
  ]);
  return getIssue(db, orgId, id);
}
