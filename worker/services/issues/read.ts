/** Reading issues and recovery history, always within one org. */
import { and, desc, eq, inArray, ne, type SQL, sql } from "drizzle-orm";
import type { z } from "zod";
import { NOTIFY } from "../../../agent/engine";
import type { Db } from "../../db/client";
import { fleetIncidents, hosts, issues, recoveryHistory } from "../../db/schema";
import { notFound } from "../../lib/errors";
import {
  HistoryEntrySchema,
  type historyQuery as historyQuerySchema,
  IssueSchema,
  type issuesQuery,
} from "../../schemas/issues";
import { configQuery, resolveConfig } from "../config/healing-config";
import { hostIs } from "../fleet/host-ref";
import { learnedQuery } from "../recovery/guardrails";
import { predict } from "../recovery/prediction";
import type { Related } from "./explain";
import { historyRowProblem, viewRows } from "./stored-rows";
import { historyView, issueView } from "./views";

type HistoryRow = { entry: typeof recoveryHistory.$inferSelect; host: string };
const historyViews = (rows: HistoryRow[]) =>
  viewRows(
    "recovery_history",
    rows,
    HistoryEntrySchema,
    (r) => historyView(r.entry, r.host),
    (r) => r.entry.id,
    (r) => historyRowProblem(r.entry),
  );

// Ties on time (rows written by one report) fall back to insertion order: rowid.
const attemptsOf = sql<number>`(SELECT count(*) FROM ${recoveryHistory} WHERE ${recoveryHistory.issueId} = ${issues.id})`;
// A subquery, not a join: the incident's `cause` would collide with the issue's own column.
const fleetCauseOf = sql<
  string | null
>`(SELECT ${fleetIncidents.cause} FROM ${fleetIncidents} WHERE ${fleetIncidents.id} = ${issues.fleetIncidentId})`;

function selectIssues(db: Db, where: SQL | undefined) {
  return db
    .select({ issue: issues, host: hosts.name, attempts: attemptsOf, fleetCause: fleetCauseOf })
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
  const [rows, settingsRows] = await db.batch([
    selectIssues(db, and(...filters))
      .orderBy(desc(issues.detectedAt), desc(sql`${issues}.rowid`))
      .limit(query.limit),
    configQuery(db, orgId),
  ]);
  const config = resolveConfig(settingsRows[0]?.config);
  const related = await relatedIssues(
    db,
    orgId,
    rows.map((r) => r.issue),
  );
  return viewRows(
    "issues",
    rows,
    IssueSchema,
    (r) => issueView(r.issue, r.host, Number(r.attempts), config, related(r.issue), r.fleetCause),
    (r) => r.issue.id,
  );
}

export async function getIssue(db: Db, orgId: string, id: string) {
  const [issueRows, historyRows, settingsRows, learned] = await db.batch([
    selectIssues(db, and(eq(issues.orgId, orgId), eq(issues.id, id))),
    historyQuery(db, and(eq(recoveryHistory.orgId, orgId), eq(recoveryHistory.issueId, id))).limit(500),
    configQuery(db, orgId),
    learnedQuery(db, orgId),
  ]);
  const row = issueRows[0];
  if (!row) throw notFound("issue");
  const related = await relatedIssues(db, orgId, [row.issue]);
  const config = resolveConfig(settingsRows[0]?.config);
  const [issue] = viewRows(
    "issues",
    [row],
    IssueSchema,
    (r) => issueView(r.issue, r.host, Number(r.attempts), config, related(r.issue), r.fleetCause),
    (r) => r.issue.id,
  );
  if (!issue) throw notFound("issue"); // stored unreadable: logged above
  const planned = issue.explanation.plan.actions.filter((a) => a !== NOTIFY);
  const prediction = predict(learned, issue.rule, planned);
  return { ...issue, history: historyViews(historyRows), prediction };
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
  return historyViews(rows);
}

type IssueRow = typeof issues.$inferSelect;
const incidentOf = (i: IssueRow) => `${i.hostId}|${i.incidentKey}`;

/** The other open issues sharing each issue's incident (same host, same probable cause). */
async function relatedIssues(db: Db, orgId: string, rows: IssueRow[]) {
  const keys = [...new Set(rows.filter((r) => r.incidentKey).map((r) => r.incidentKey as string))];
  const groups = new Map<string, (Related & { hostId: string })[]>();
  for (let i = 0; i < keys.length; i += 90) {
    const found = await db
      .select({
        id: issues.id,
        hostId: issues.hostId,
        incidentKey: issues.incidentKey,
        cause: issues.cause,
        summary: issues.summary,
      })
      .from(issues)
      .where(
        and(
          eq(issues.orgId, orgId),
          ne(issues.status, "resolved"),
          inArray(issues.incidentKey, keys.slice(i, i + 90)),
        ),
      );
    for (const f of found) {
      const key = `${f.hostId}|${f.incidentKey}`;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
  }
  return (row: IssueRow): Related[] =>
    row.incidentKey ? (groups.get(incidentOf(row)) ?? []).filter((r) => r.id !== row.id) : [];
}
