/**
 * Fleet correlation: the same rule (and target) firing on several hosts of a group within minutes
 * is one fleet incident. Its first issue (the lead) pages; the others join silently (their events
 * are not sent, notify/fanout.ts) and stay linked. The probable cause is named when a deploy watch
 * on the group or a config change came shortly before the lead. Runs only when a report opened an
 * issue on a grouped host, after that report's batch is written, so a steady report reads nothing.
 * Recovery on the members is planned as for any issue: the group's rolling-recovery limit holds.
 */
import { and, desc, eq, gte, inArray, isNull, like, lte, ne, or } from "drizzle-orm";
import { type Db, runBatch, type Statement } from "../../db/client";
import { auditLog, deliveries, fleetIncidents, gateWatches, hosts, issues } from "../../db/schema";
import { MINUTE } from "../../lib/time";

/** A member joins an incident whose newest member opened at most this long before it. */
export const FLEET_WINDOW_MS = 10 * MINUTE;
/** A deploy watch or config change at most this long before the lead is its probable cause. */
export const CAUSE_LOOKBACK_MS = 30 * MINUTE;

export interface OpenedIssue {
  id: string;
  ruleId: string;
  target: string;
  detectedAt: number;
}

type Cause = { kind: "deploy" | "config"; ref: string; at: number; text: string };

const minutesBefore = (at: number, lead: number) => {
  const m = Math.round((lead - at) / MINUTE);
  return m < 1 ? "less than a minute" : `${m} min`;
};

/** The latest deploy watch on the group (or one of its hosts) or config change before `lead`. */
async function causeBefore(db: Db, orgId: string, group: string, ruleId: string, lead: number) {
  const from = lead - CAUSE_LOOKBACK_MS;
  const groupHosts = db
    .select({ id: hosts.id })
    .from(hosts)
    .where(and(eq(hosts.orgId, orgId), eq(hosts.group, group)));
  const [watches, changes] = await db.batch([
    db
      .select()
      .from(gateWatches)
      .where(
        and(
          eq(gateWatches.orgId, orgId),
          or(eq(gateWatches.hostGroup, group), inArray(gateWatches.hostId, groupHosts)),
          gte(gateWatches.startedAt, from),
          lte(gateWatches.startedAt, lead),
        ),
      )
      .orderBy(desc(gateWatches.startedAt))
      .limit(1),
    db
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.orgId, orgId),
          eq(auditLog.result, "ok"),
          gte(auditLog.at, from),
          lte(auditLog.at, lead),
          or(
            eq(auditLog.action, "config.update"),
            and(like(auditLog.action, "scope.%"), eq(auditLog.targetId, `group:${group}`)),
            and(like(auditLog.action, "rule.%"), eq(auditLog.targetId, ruleId)),
          ),
        ),
      )
      .orderBy(desc(auditLog.at))
      .limit(1),
  ]);
  const causes: Cause[] = [];
  const [w] = watches;
  if (w)
    causes.push({
      kind: "deploy",
      ref: w.id,
      at: w.startedAt,
      text: `deploy watched by ${w.id} on ${w.hostGroup ? `group ${w.hostGroup}` : `host ${w.hostId}`}, started ${minutesBefore(w.startedAt, lead)} before`,
    });
  const [c] = changes;
  if (c)
    causes.push({
      kind: "config",
      ref: c.id,
      at: c.at,
      text: `config change (${c.action}: ${c.summary}) by ${c.actorName}, ${minutesBefore(c.at, lead)} before`,
    });
  // the nearest before the lead; on a tie the deploy, which changes more than a setting
  causes.sort((a, b) => b.at - a.at || (a.kind === "deploy" ? -1 : 1));
  return causes[0] ?? null;
}

/** Links each issue just opened on `host` to its fleet incident, forming one when a peer fired too. */
export async function correlateFleet(
  db: Db,
  orgId: string,
  host: { id: string; group: string | null },
  opened: OpenedIssue[],
  now: number,
): Promise<void> {
  const group = host.group;
  if (!group) return;
  try {
    for (const issue of opened) await correlateOne(db, orgId, group, host.id, issue, now);
  } catch (err) {
    // The report's own batch is written: a failed link must not fail it (the issue pages alone).
    console.error(JSON.stringify({ error: "fleet correlation failed", orgId, detail: String(err) }));
  }
}

async function correlateOne(
  db: Db,
  orgId: string,
  group: string,
  hostId: string,
  issue: OpenedIssue,
  now: number,
) {
  const since = issue.detectedAt - FLEET_WINDOW_MS;
  const groupHosts = db
    .select({ id: hosts.id })
    .from(hosts)
    .where(and(eq(hosts.orgId, orgId), eq(hosts.group, group)));
  const [incidents, peers] = await db.batch([
    db
      .select()
      .from(fleetIncidents)
      .where(
        and(
          eq(fleetIncidents.orgId, orgId),
          eq(fleetIncidents.hostGroup, group),
          eq(fleetIncidents.ruleId, issue.ruleId),
          eq(fleetIncidents.target, issue.target),
          gte(fleetIncidents.lastAt, since),
        ),
      )
      .orderBy(desc(fleetIncidents.lastAt))
      .limit(1),
    db
      .select({ id: issues.id, detectedAt: issues.detectedAt })
      .from(issues)
      .where(
        and(
          eq(issues.orgId, orgId),
          eq(issues.ruleId, issue.ruleId),
          eq(issues.target, issue.target),
          gte(issues.detectedAt, since),
          ne(issues.hostId, hostId),
          isNull(issues.fleetIncidentId),
          eq(issues.source, "engine"),
          inArray(issues.hostId, groupHosts),
        ),
      )
      .limit(500),
  ]);
  const [existing] = incidents;
  if (!existing && peers.length === 0) return;
  const members = [issue, ...peers];
  let incidentId: string;
  let leadId: string;
  const statements: Statement[] = [];
  if (existing) {
    incidentId = existing.id;
    leadId = existing.leadIssueId;
    statements.push(
      db
        .update(fleetIncidents)
        .set({ lastAt: Math.max(existing.lastAt, issue.detectedAt) })
        .where(and(eq(fleetIncidents.id, existing.id), eq(fleetIncidents.orgId, orgId))),
    );
  } else {
    const lead = members.reduce((a, b) =>
      b.detectedAt < a.detectedAt || (b.detectedAt === a.detectedAt && b.id < a.id) ? b : a,
    );
    incidentId = `fleet_${lead.id}`;
    leadId = lead.id;
    const cause = await causeBefore(db, orgId, group, issue.ruleId, lead.detectedAt);
    statements.push(
      db
        .insert(fleetIncidents)
        .values({
          id: incidentId,
          orgId,
          hostGroup: group,
          ruleId: issue.ruleId,
          target: issue.target,
          leadIssueId: lead.id,
          openedAt: lead.detectedAt,
          lastAt: Math.max(...members.map((m) => m.detectedAt)),
          cause: cause?.text ?? null,
          causeKind: cause?.kind ?? null,
          causeRef: cause?.ref ?? null,
          causeAt: cause?.at ?? null,
        })
        .onConflictDoNothing(),
    );
  }
  const ids = members.map((m) => m.id);
  statements.push(
    db
      .update(issues)
      .set({ fleetIncidentId: incidentId })
      .where(and(eq(issues.orgId, orgId), inArray(issues.id, ids), isNull(issues.fleetIncidentId))),
    // A member's page already fanned out but still waiting (a channel's group wait) is not sent.
    db
      .update(deliveries)
      .set({ status: "skipped", lastError: `part of fleet incident ${incidentId}`, updatedAt: now })
      .where(
        and(
          eq(deliveries.orgId, orgId),
          inArray(
            deliveries.issueId,
            ids.filter((id) => id !== leadId),
          ),
          eq(deliveries.status, "pending"),
          eq(deliveries.attempts, 0),
        ),
      ),
  );
  await runBatch(db, statements);
}
