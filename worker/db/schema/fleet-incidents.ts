import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One rule firing on several hosts of a group within minutes: one incident, one page (its lead
 * issue's), its members linked by `issues.fleet_incident_id` (services/issues/fleet-correlation.ts).
 */
export const fleetIncidents = sqliteTable(
  "fleet_incidents",
  {
    /** `fleet_` + the lead issue's id: two reports forming the same incident write one row. */
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    hostGroup: text("host_group").notNull(),
    ruleId: text("rule_id").notNull(),
    target: text("target").notNull().default(""),
    /** The first member: the only one whose events are sent. */
    leadIssueId: text("lead_issue_id").notNull(),
    /** The lead's detection, and the newest member's: a later issue joins within the window of it. */
    openedAt: integer("opened_at").notNull(),
    lastAt: integer("last_at").notNull(),
    /** The probable cause in words (a deploy watch or a config change before the lead), or null. */
    cause: text("cause"),
    causeKind: text("cause_kind", { enum: ["deploy", "config"] }),
    /** The watch's id or the audit entry's id. */
    causeRef: text("cause_ref"),
    causeAt: integer("cause_at"),
  },
  (t) => [index("fleet_incidents_org_group_rule_idx").on(t.orgId, t.hostGroup, t.ruleId, t.lastAt)],
);
