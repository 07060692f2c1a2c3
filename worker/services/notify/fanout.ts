/**
 * Outbox → deliveries: each undispatched event becomes one delivery per matching channel, due
 * after the channel's group wait. The unique (channel, issue, event key) index makes a second
 * fan-out of the same event (two sweeps racing) add nothing: an issue never triggers twice.
 */
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { SEVERITIES, type Severity } from "../../../agent/engine";
import { type Db, runBatch, type Statement } from "../../db/client";
import {
  type ChannelKind,
  channels,
  deliveries,
  fleetIncidents,
  hosts,
  issues,
  notifications,
} from "../../db/schema";
import { randomBase62 } from "../../lib/ids";
import { silenced, windowsInForce } from "../recovery/maintenance";
import { pagerDutyAction } from "./format";
import type { IssueEvent } from "./outbox";

const BATCH = 200;
/** Events of a fleet incident's member that are still sent: each needs someone's decision. */
const FOR_A_PERSON = new Set<string>(["escalated", "awaiting_approval", "deadline_breached"]);
const IDS_PER_STATEMENT = 90;

type ChannelRow = typeof channels.$inferSelect;
export interface Routed {
  severity: Severity;
  hostId: string;
  hostName: string;
  hostGroup: string | null;
  ruleId: string;
  event: IssueEvent;
}

/** Does this channel want this event? Severity floor, then the optional filters. */
export function channelWants(
  ch: Pick<ChannelRow, "kind" | "minSeverity" | "hosts" | "groups" | "rules">,
  r: Routed,
) {
  const pager =
    ch.kind === ("pagerduty" satisfies ChannelKind) || ch.kind === ("opsgenie" satisfies ChannelKind);
  if (pager && !pagerDutyAction(r.event)) return false;
  if (SEVERITIES.indexOf(r.severity) > SEVERITIES.indexOf(ch.minSeverity)) return false;
  if (ch.hosts?.length && !ch.hosts.includes(r.hostId) && !ch.hosts.includes(r.hostName)) return false;
  if (ch.groups?.length && (!r.hostGroup || !ch.groups.includes(r.hostGroup))) return false;
  if (ch.rules?.length && !ch.rules.includes(r.ruleId)) return false;
  return true;
}

/** Alertmanager's group_by: events with the same key (per channel) travel together. */
export function groupKeyOf(groupBy: string[], r: Pick<Routed, "hostId" | "ruleId">) {
  const parts = groupBy.map((g) =>
    g === "host" ? `host=${r.hostId}` : g === "rule" ? `rule=${r.ruleId}` : "",
  );
  return parts.filter(Boolean).join("|") || "all";
}

export async function fanOut(db: Db, now: number): Promise<number> {
  const rows = await db
    .select({
      n: notifications,
      severity: issues.severity,
      hostId: issues.hostId,
      ruleId: issues.ruleId,
      hostName: hosts.name,
      hostGroup: hosts.group,
      fleetLead: fleetIncidents.leadIssueId,
    })
    .from(notifications)
    .leftJoin(issues, eq(issues.id, notifications.issueId))
    .leftJoin(hosts, eq(hosts.id, issues.hostId))
    .leftJoin(fleetIncidents, eq(fleetIncidents.id, issues.fleetIncidentId))
    .where(isNull(notifications.dispatchedAt))
    // rowid: the order the events were written in, within one batch too.
    .orderBy(asc(notifications.createdAt), asc(sql`${notifications}.rowid`))
    .limit(BATCH);
  if (rows.length === 0) return 0;
  const orgIds = [...new Set(rows.map((r) => r.n.orgId))];
  const chans = await db
    .select()
    .from(channels)
    .where(and(inArray(channels.orgId, orgIds), eq(channels.enabled, true)));

  // Maintenance windows and silences: events of matching issues are marked dispatched
  // without deliveries, so they are dropped rather than sent late.
  const windows = await windowsInForce(db, orgIds, now);
  const statements: Statement[] = [];
  for (const row of rows) {
    if (!row.severity || !row.hostId || !row.ruleId || !row.hostName) continue; // issue never written
    if (silenced(windows, row.n.orgId, { id: row.hostId, group: row.hostGroup }, row.ruleId)) continue;
    // A fleet incident pages once: its lead speaks for it; members only ask for a person.
    if (row.fleetLead && row.fleetLead !== row.n.issueId && !FOR_A_PERSON.has(row.n.event)) continue;
    const routed: Routed = {
      ...row,
      hostId: row.hostId,
      hostName: row.hostName,
      severity: row.severity,
      ruleId: row.ruleId,
      event: row.n.event as IssueEvent,
    };
    for (const ch of chans) {
      if (ch.orgId !== row.n.orgId || !channelWants(ch, routed)) continue;
      statements.push(
        db
          .insert(deliveries)
          .values({
            id: `dlv_${randomBase62(20)}`,
            orgId: ch.orgId,
            channelId: ch.id,
            notificationId: row.n.id,
            issueId: row.n.issueId,
            event: row.n.event,
            eventKey: row.n.eventKey,
            groupKey: groupKeyOf(ch.groupBy, routed),
            status: "pending",
            nextAttemptAt: row.n.createdAt + ch.groupWaitSeconds * 1000,
            origin: null,
            createdAt: now,
            updatedAt: now,
          })
          .onConflictDoNothing(),
      );
    }
  }
  const ids = rows.map((r) => r.n.id);
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    const slice = ids.slice(i, i + IDS_PER_STATEMENT);
    statements.push(
      db.update(notifications).set({ dispatchedAt: now }).where(inArray(notifications.id, slice)),
    );
  }
  await runBatch(db, statements);
  return rows.length;
}
