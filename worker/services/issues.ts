/** Reading issues and recovery history, always within one org. */
import { and, desc, eq, ne, or, type SQL, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "../db/client";
import { hosts, issues, recoveryHistory } from "../db/schema";
import { notFound } from "../lib/errors";
import type { historyQuery as historyQuerySchema, issuesQuery } from "../schemas/issues";
import { historyView, issueView } from "./views";

// Ties on time (rows written by one report) fall back to insertion order: rowid.
const attemptsOf = sql<number>`(SELECT count(*) FROM ${recoveryHistory} WHERE ${recoveryHistory.issueId} = ${issues.id})`;
const hostIs = (idOrName: string) => or(eq(hosts.id, idOrName), eq(hosts.name, idOrName));

function selectIssues(db: Db, where: SQL | undefined) {
  return db
    .select({ issue: issues, host: hosts.name, attempts: attemptsOf })
    .from(issues)
    .innerJoin(hosts, eq(hosts.id, issues.hostId))
    .where(where);
}

export async function listIssues(db: Db, orgId: string, query: z.infer<typeof issuesQuery>) {
  const filters: (SQL | undefined)[] = [eq(issues.orgId, orgId)];
  if (query.status === "active") filters.push(ne(issues.status, "resolved"));
  else if (query.status) filters.push(eq(issues.status, query.status));
  if (query.severity) filters.push(eq(issues.severity, query.severity));
  if (query.host) filters.push(hostIs(query.host));
  const rows = await selectIssues(db, and(...filters))
    .orderBy(desc(issues.detectedAt), desc(sql`${issues}.rowid`))
    .limit(query.limit);
  return rows.map((r) => issueView(r.issue, r.host, Number(r.attempts)));
}

export async function getIssue(db: Db, orgId: string, id: string) {
  const [issueRows, historyRows] = await db.batch([
    selectIssues(db, and(eq(issues.orgId, orgId), eq(issues.id, id))),
    historyQuery(db, and(eq(recoveryHistory.orgId, orgId), eq(recoveryHistory.issueId, id))).limit(500),
  ]);
  const row = issueRows[0];
  if (!row) throw notFound("issue");
  return {
    ...issueView(row.issue, row.host, Number(row.attempts)),
    history: historyRows.map((h) => historyView(h.entry, h.host)),
  };
}

function historyQuery(db: Db, where: SQL | undefined) {
  return db
    .select({ entry: recoveryHistory, host: hosts.name })
    .from(recoveryHistory)
    .innerJoin(hosts, eq(hosts.id, recoveryHistory.hostId))
    .where(where)
    .orderBy(desc(recoveryHistory.startedAt), desc(sql`${recoveryHistory}.rowid`));
}

export async function listHistory(db: Db, orgId: string, query: z.infer<typeof historyQuerySchema>) {
  const filters: (SQL | undefined)[] = [eq(recoveryHistory.orgId, orgId)];
  if (query.issue) filters.push(eq(recoveryHistory.issueId, query.issue));
  if (query.host) filters.push(hostIs(query.host));
  const rows = await historyQuery(db, and(...filters)).limit(query.limit);
  return rows.map((r) => historyView(r.entry, r.host));
}
