import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { SEVERITIES } from "../../../agent/engine/types";
import { hosts } from "./hosts";

export const issueStatuses = ["open", "recovering", "awaiting_approval", "resolved", "escalated"] as const;
export type IssueStatus = (typeof issueStatuses)[number];

export const issues = sqliteTable(
  "issues",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    hostId: text("host_id")
      .notNull()
      .references(() => hosts.id),
    ruleId: text("rule_id").notNull(),
    ruleName: text("rule_name").notNull(),
    target: text("target").notNull().default(""),
    severity: text("severity", { enum: SEVERITIES }).notNull(),
    status: text("status", { enum: issueStatuses }).notNull(),
    summary: text("summary").notNull(),
    evidence: text("evidence", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    actions: text("actions", { mode: "json" }).$type<string[]>().notNull(),
    detectedAt: integer("detected_at").notNull(),
    resolvedAt: integer("resolved_at"),
    mttrSeconds: real("mttr_seconds"),
    escalatedAt: integer("escalated_at"),
    updatedAt: integer("updated_at").notNull(),
    /** Opening and closing too often: automatic actions are held until the engine says it settled. */
    flapping: integer("flapping", { mode: "boolean" }).notNull().default(false),
    /** `ruleId|target` of the incident's probable cause (this issue's own key when it stands alone). */
    incidentKey: text("incident_key"),
    /** Whether this issue is its incident's probable cause (only causes get automatic recovery). */
    cause: integer("cause", { mode: "boolean" }).notNull().default(true),
    ruleKind: text("rule_kind"),
    /** The rule's condition in words, captured at opening (the rule may change later). */
    ruleCondition: text("rule_condition"),
    /** Why the planner holds automatic recovery (maintenance, group rolling, breaker), or null. */
    recoveryHold: text("recovery_hold"),
    /** The deadline by severity, set at opening (epoch ms); null for issues opened before it existed. */
    respondBy: integer("respond_by"),
    /** When the sweep found it unresolved past respondBy (and notified, once). */
    breachedAt: integer("breached_at"),
    /** When a person acknowledged it (epoch ms), and the name of the token they used. */
    acknowledgedAt: integer("acknowledged_at"),
    acknowledgedBy: text("acknowledged_by"),
    /**
     * "engine": opened and resolved by reports. "operator": a host action asked for through the
     * API (services/recovery/host-actions); report reconciliation leaves it alone, its command's
     * result settles it.
     */
    source: text("source", { enum: ["engine", "operator"] })
      .notNull()
      .default("engine"),
    /** The fleet incident it belongs to (./fleet-incidents.ts), or null. */
    fleetIncidentId: text("fleet_incident_id"),
  },
  (t) => [
    index("issues_org_status_idx").on(t.orgId, t.status, t.detectedAt),
    index("issues_org_detected_idx").on(t.orgId, t.detectedAt),
    index("issues_host_status_idx").on(t.hostId, t.status),
    // One host + rule + target has at most one issue that is not resolved.
    uniqueIndex("issues_one_unresolved_uq").on(t.hostId, t.ruleId, t.target).where(sql`status <> 'resolved'`),
    // The silence sweep's open host_offline and fleet_offline issues, across orgs.
    index("issues_rule_unresolved_idx").on(t.ruleId, t.orgId).where(sql`status <> 'resolved'`),
    index("issues_fleet_incident_idx").on(t.fleetIncidentId),
  ],
);
