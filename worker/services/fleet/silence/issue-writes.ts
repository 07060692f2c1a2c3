/**
 * The issue writes of the silence sweep (./sweep.ts): a fleet_offline incident opened on the
 * org's "(edge)" host or resolved, and a silent host's host_offline issue.
 */
import { and, eq, ne } from "drizzle-orm";
import type { Db, Statement } from "../../../db/client";
import { issues } from "../../../db/schema";
import { newId } from "../../../lib/ids";
import { iso } from "../../../lib/time";
import type { HealingConfig } from "../../../schemas/config";
import { respondByOf } from "../../issues/response-targets";
import { notifyStatement } from "../../notify/outbox";
import {
  duration,
  FLEET_INCIDENT_KEY,
  FLEET_OFFLINE_RULE,
  HOST_OFFLINE_RULE,
  offlineSeverity,
  silenceAfterMs,
} from "./policy";

/** A host D1 last saw longer ago than its org's threshold. */
export type Candidate = { id: string; orgId: string; name: string; group: string | null; lastSeenAt: number };

/** An open fleet_offline incident. */
export type FleetIncident = { id: string; orgId: string; detectedAt: number };

/** What one org's sweep decides from. */
export interface OrgSilence {
  orgId: string;
  config: HealingConfig;
  /** Hosts newly confirmed silent. */
  fresh: Candidate[];
  /** Hosts whose host_offline issue is already open (in the fleet incident: its key). */
  alreadySilent: { incidentKey: string | null }[];
  watched: number;
  openFleet: FleetIncident | undefined;
  /** The org's "(edge)" host, when a fleet incident is about to open. */
  edgeHostId: string | undefined;
}

export function openFleetIncident(db: Db, org: OrgSilence, edgeHostId: string, now: number): Statement[] {
  const { orgId, fresh, watched } = org;
  const id = newId("iss");
  const silent = org.alreadySilent.length + fresh.length;
  return [
    db
      .insert(issues)
      .values({
        ...issueBase(orgId, now),
        id,
        hostId: edgeHostId,
        ruleId: FLEET_OFFLINE_RULE,
        ruleName: "Fleet offline",
        severity: "critical",
        summary: `${silent} of ${watched} hosts stopped reporting at once (a network or edge outage?)`,
        evidence: {
          silentHosts: silent,
          watchedHosts: watched,
          hosts: fresh.slice(0, 50).map((h) => h.name),
        },
        incidentKey: FLEET_INCIDENT_KEY,
        respondBy: respondByOf(org.config, "critical", now),
      })
      .onConflictDoNothing(),
    notifyStatement(db, { orgId, issueId: id, event: "opened", now }),
  ];
}

export function openHostOffline(
  db: Db,
  org: OrgSilence,
  h: Candidate,
  storm: boolean,
  now: number,
): Statement[] {
  const { orgId, config } = org;
  const id = newId("iss");
  const afterMs = silenceAfterMs(config);
  const severity = offlineSeverity(config);
  const insert = db
    .insert(issues)
    .values({
      ...issueBase(orgId, now),
      id,
      hostId: h.id,
      ruleId: HOST_OFFLINE_RULE,
      ruleName: "Host offline",
      severity,
      summary: `${h.name} has sent no report for ${duration(now - h.lastSeenAt)} (threshold ${duration(afterMs)})`,
      evidence: { lastSeenAt: iso(h.lastSeenAt), thresholdSeconds: afterMs / 1000 },
      // In a storm the fleet incident pages for every host: this one neither pages nor breaches.
      cause: !storm,
      incidentKey: storm ? FLEET_INCIDENT_KEY : `${HOST_OFFLINE_RULE}|`,
      respondBy: storm ? null : respondByOf(config, severity, now),
    })
    .onConflictDoNothing();
  return storm ? [insert] : [insert, notifyStatement(db, { orgId, issueId: id, event: "opened", now })];
}

export function resolveFleetIncident(db: Db, orgId: string, fleet: FleetIncident, now: number): Statement[] {
  const mttrSeconds = Math.round((now - fleet.detectedAt) / 100) / 10;
  return [
    db
      .update(issues)
      .set({ status: "resolved", resolvedAt: now, mttrSeconds, updatedAt: now })
      .where(and(eq(issues.id, fleet.id), ne(issues.status, "resolved"))),
    notifyStatement(db, {
      orgId,
      issueId: fleet.id,
      event: "resolved",
      now,
      detail: { silentFor: duration(now - fleet.detectedAt) },
    }),
  ];
}

function issueBase(orgId: string, now: number) {
  return {
    orgId,
    target: "",
    status: "open" as const,
    actions: [],
    detectedAt: now,
    updatedAt: now,
    ruleKind: "silence",
    ruleCondition: "no report within the silence threshold",
    source: "engine" as const,
  };
}
