/**
 * A person says "I have this one": the issue records when and under which
 * token name, once (a second acknowledgement changes nothing), and an `acknowledged` event goes
 * through the outbox (PagerDuty's `acknowledge` for the incident it triggered).
 */
import { and, eq, isNull, ne } from "drizzle-orm";
import { type Db, runBatch } from "../../db/client";
import { issues } from "../../db/schema";
import type { Principal } from "../../env";
import { conflict, notFound } from "../../lib/errors";
import { notifyStatement } from "../notify/outbox";
import { audit } from "../tenancy/audit";
import { getIssue } from "./read";

export async function acknowledgeIssue(db: Db, principal: Principal, id: string, now = Date.now()) {
  const { orgId } = principal;
  const [row] = await db
    .select({ status: issues.status, acknowledgedAt: issues.acknowledgedAt })
    .from(issues)
    .where(and(eq(issues.id, id), eq(issues.orgId, orgId)));
  if (!row) throw notFound("issue");
  if (row.status === "resolved") throw conflict("the issue is already resolved");
  if (row.acknowledgedAt === null) {
    await runBatch(db, [
      db
        .update(issues)
        .set({ acknowledgedAt: now, acknowledgedBy: principal.name, updatedAt: now })
        .where(
          and(
            eq(issues.id, id),
            eq(issues.orgId, orgId),
            isNull(issues.acknowledgedAt),
            ne(issues.status, "resolved"),
          ),
        ),
      notifyStatement(db, {
        ...{ orgId, issueId: id, event: "acknowledged", now },
        detail: { by: principal.name },
      }),
      audit(db, orgId, "issue.acknowledge", id, `acknowledged issue ${id}`, "ok", now),
    ]);
  }
  return getIssue(db, orgId, id);
}
