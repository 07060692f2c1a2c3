/**
 * A host's first report after a silence: its host_offline issue resolves, saying how long the host
 * was silent. Run by the host's object before the report pipeline, which never sees these issues
 * (they are no engine rule's, so the pipeline would resolve them without a word).
 */
import { and, eq, ne } from "drizzle-orm";
import type { Db, Statement } from "../../../db/client";
import { issues } from "../../../db/schema";
import type { IssueRow } from "../../ingest/report/load";
import { notifyStatement } from "../../notify/outbox";
import { duration, HOST_OFFLINE_RULE } from "./policy";

export const isSilence = (issue: Pick<IssueRow, "ruleId">) => issue.ruleId === HOST_OFFLINE_RULE;

/** `lastSeenAt`: the report before this one, as the object holds it (else the issue's evidence). */
export function resumeStatements(
  db: Db,
  open: IssueRow[],
  hostName: string,
  lastSeenAt: number | null,
  now: number,
): Statement[] {
  return open.filter(isSilence).flatMap((issue) => {
    const before = lastSeenAt ?? Date.parse(String(issue.evidence.lastSeenAt ?? ""));
    const silentMs = Math.max(0, now - (Number.isFinite(before) ? before : issue.detectedAt));
    const silentFor = duration(silentMs);
    const silentSeconds = Math.round(silentMs / 100) / 10;
    const mttrSeconds = Math.round((now - issue.detectedAt) / 100) / 10;
    const statements: Statement[] = [
      db
        .update(issues)
        .set({
          status: "resolved",
          resolvedAt: now,
          mttrSeconds,
          updatedAt: now,
          summary: `${hostName} reports again after ${silentFor} of silence`,
          evidence: { ...issue.evidence, silentSeconds, resumedAt: new Date(now).toISOString() },
        })
        .where(and(eq(issues.id, issue.id), eq(issues.orgId, issue.orgId), ne(issues.status, "resolved"))),
    ];
    // A host of a fleet incident was paged by the incident: its return is the incident's to tell.
    if (issue.cause)
      statements.push(
        notifyStatement(db, {
          orgId: issue.orgId,
          issueId: issue.id,
          event: "resolved",
          now,
          detail: { silentSeconds, silentFor },
        }),
      );
    return statements;
  });
}
