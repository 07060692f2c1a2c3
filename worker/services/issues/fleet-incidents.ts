/** Reading fleet incidents (./fleet-correlation.ts forms them), always within one org. */
import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "../../db/client";
import { fleetIncidents, hosts, issues } from "../../db/schema";
import { notFound } from "../../lib/errors";
import { iso, isoOrNull } from "../../lib/time";
import type { FleetIncident, FleetIncidentDetail, fleetIncidentsQuery } from "../../schemas/fleet";

type Row = typeof fleetIncidents.$inferSelect;

const membersOf = sql<number>`count(${issues.id})`;
const openMembersOf = sql<number>`coalesce(sum(${issues.status} <> 'resolved'), 0)`;

function view(row: Row, members: number, open: number): FleetIncident {
  return {
    id: row.id,
    group: row.hostGroup,
    rule: row.ruleId,
    target: row.target || null,
    status: open > 0 ? "open" : "resolved",
    hosts: members,
    openedAt: iso(row.openedAt),
    lastAt: iso(row.lastAt),
    probableCause:
      row.causeKind && row.causeRef && row.causeAt !== null && row.cause
        ? { kind: row.causeKind, ref: row.causeRef, at: iso(row.causeAt), summary: row.cause }
        : null,
  };
}

function selectIncidents(db: Db) {
  return db
    .select({ incident: fleetIncidents, members: membersOf, open: openMembersOf })
    .from(fleetIncidents)
    .leftJoin(
      issues,
      and(eq(issues.fleetIncidentId, fleetIncidents.id), eq(issues.orgId, fleetIncidents.orgId)),
    );
}

export async function listFleetIncidents(db: Db, orgId: string, query: z.infer<typeof fleetIncidentsQuery>) {
  const rows = await selectIncidents(db)
    .where(eq(fleetIncidents.orgId, orgId))
    .groupBy(fleetIncidents.id)
    .having(
      query.status === "open"
        ? sql`${openMembersOf} > 0`
        : query.status === "resolved"
          ? sql`${openMembersOf} = 0`
          : undefined,
    )
    .orderBy(desc(fleetIncidents.openedAt), desc(fleetIncidents.id))
    .limit(query.limit);
  return rows.map((r) => view(r.incident, Number(r.members), Number(r.open)));
}

export async function getFleetIncident(db: Db, orgId: string, id: string): Promise<FleetIncidentDetail> {
  const [incidentRows, memberRows] = await db.batch([
    selectIncidents(db)
      .where(and(eq(fleetIncidents.orgId, orgId), eq(fleetIncidents.id, id)))
      .groupBy(fleetIncidents.id),
    db
      .select({
        issueId: issues.id,
        hostId: issues.hostId,
        host: hosts.name,
        status: issues.status,
        detectedAt: issues.detectedAt,
        resolvedAt: issues.resolvedAt,
      })
      .from(issues)
      .innerJoin(hosts, eq(hosts.id, issues.hostId))
      .where(and(eq(issues.orgId, orgId), eq(issues.fleetIncidentId, id)))
      .orderBy(asc(issues.detectedAt), asc(issues.id)),
  ]);
  const [row] = incidentRows;
  if (!row) throw notFound("fleet incident");
  return {
    ...view(row.incident, Number(row.members), Number(row.open)),
    members: memberRows.map((m) => ({
      ...m,
      detectedAt: iso(m.detectedAt),
      resolvedAt: isoOrNull(m.resolvedAt),
      lead: m.issueId === row.incident.leadIssueId,
    })),
  };
}
