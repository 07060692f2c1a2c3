/** Rules, issues and recovery: the queue, its history, and the guardrails around it. */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { Rule } from "../../../agent/engine";
import { hosts, orgs } from "./tenancy";

export const rules = sqliteTable(
  "rules",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    definition: text("definition", { mode: "json" }).$type<Rule>().notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("rules_org_idx").on(t.orgId)],
);

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
    severity: text("severity", { enum: ["critical", "high", "medium", "low"] }).notNull(),
    status: text("status", { enum: issueStatuses }).notNull(),
    summary: text("summary").notNull(),
    evidence: text("evidence", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    actions: text("actions", { mode: "json" }).$type<string[]>().notNull(),
    detectedAt: integer("detected_at").notNull(),
    resolvedAt: integer("resolved_at"),
    mttrSeconds: real("mttr_seconds"),
    escalatedAt: integer("escalated_at"),
    updatedAt: integer("updated_at").notNull(),
    // ---- Diagnostics: flapping, correlation and the rule as it was when it opened ----
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
    // ---- Response-time targets ----
    /** The deadline by severity, set at opening (epoch ms); null for issues opened before it existed. */
    respondBy: integer("respond_by"),
    /** When the sweep found it unresolved past respondBy (and notified, once). */
    breachedAt: integer("breached_at"),
    // ---- Dashboard ----
    /** When a person acknowledged it (epoch ms), and the name of the token they used. */
    acknowledgedAt: integer("acknowledged_at"),
    acknowledgedBy: text("acknowledged_by"),
    /**
     * "engine": opened and resolved by reports. "operator": a host action asked for through the
     * API (services/host-actions); report reconciliation leaves it alone, its command's result settles it.
     */
    source: text("source", { enum: ["engine", "operator"] })
      .notNull()
      .default("engine"),
    /** The fleet incident it belongs to (schema/fleet.ts), or null. */
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

export const commandStatuses = [
  "pending",
  "delivered",
  "succeeded",
  "failed",
  "refused",
  "timed_out",
  "expired",
  "awaiting_approval",
  // A human said no to an awaiting_approval command.
  "rejected",
] as const;
export type CommandStatus = (typeof commandStatuses)[number];
export type Trigger = "auto" | "manual";

/** The recovery queue: what an agent is asked to run, and what came back. */
export const commands = sqliteTable(
  "commands",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    hostId: text("host_id")
      .notNull()
      .references(() => hosts.id),
    issueId: text("issue_id"),
    kind: text("kind", { enum: ["recovery", "health_check"] }).notNull(),
    action: text("action").notNull(),
    target: text("target"),
    params: text("params", { mode: "json" }).$type<Record<string, string | number | boolean>>(),
    status: text("status", { enum: commandStatuses }).notNull(),
    trigger: text("trigger", { enum: ["auto", "manual"] }).notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    deliveredAt: integer("delivered_at"),
    finishedAt: integer("finished_at"),
    exitCode: integer("exit_code"),
    output: text("output"),
    durationMs: integer("duration_ms"),
    // ---- Safeguards (services/safeguards.ts) ----
    /** Who asked for it: the requesting token's identity (safeguards.identityOf); null: the engine. */
    requestedBy: text("requested_by"),
    /** The requesting token's name, for people reading the approval. */
    requesterName: text("requester_name"),
    /** The approval it waits for, decided when queued: any operator, or one other than the requester. */
    approval: text("approval", { enum: ["any", "second"] }),
    /** The name of the token that approved it. */
    approvedBy: text("approved_by"),
  },
  (t) => [
    index("commands_host_status_idx").on(t.hostId, t.status),
    index("commands_status_idx").on(t.status),
  ],
);

export const historyStatuses = ["pending", "succeeded", "failed", "refused", "timed_out"] as const;
export type HistoryStatus = (typeof historyStatuses)[number];

export const recoveryHistory = sqliteTable(
  "recovery_history",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    hostId: text("host_id").notNull(),
    issueId: text("issue_id").notNull(),
    commandId: text("command_id").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    status: text("status", { enum: historyStatuses }).notNull(),
    // "local": a restart the agent did on its own while cut off from the Worker.
    trigger: text("trigger", { enum: ["auto", "manual", "local"] }).notNull(),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
    exitCode: integer("exit_code"),
    output: text("output"),
    durationMs: integer("duration_ms"),
    verified: integer("verified", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    uniqueIndex("history_command_uq").on(t.commandId),
    index("history_org_started_idx").on(t.orgId, t.startedAt),
    index("history_issue_idx").on(t.issueId),
    // The breaker and crash-loop reads of a report: this host's recent attempts, not the org's.
    index("history_host_started_idx").on(t.hostId, t.startedAt),
  ],
);

// ---- Recovery guardrails ----

/** A maintenance window or silence: detection goes on, automatic actions and notifications are held. */
export const maintenanceWindows = sqliteTable(
  "maintenance_windows",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    /** At most one of host (id), group or rule; none means every host of the org. */
    hostId: text("host_id"),
    hostGroup: text("host_group"),
    ruleId: text("rule_id"),
    startsAt: integer("starts_at").notNull(),
    endsAt: integer("ends_at").notNull(),
    reason: text("reason").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("maintenance_org_ends_idx").on(t.orgId, t.endsAt),
    // Upcoming windows (a new issue's response deadline) without reading the past ones.
    index("maintenance_org_starts_idx").on(t.orgId, t.startsAt),
  ],
);

/**
 * Edge-side recovery actions: a rule action `webhook:<name>` is a signed JSON POST the Worker
 * makes to the user's own platform (scaling, load balancer drain...). The secret is never returned.
 */
export const actionWebhooks = sqliteTable(
  "action_webhooks",
  {
    orgId: text("org_id").notNull(),
    name: text("name").notNull(),
    url: text("url").notNull(),
    secret: text("secret"),
    timeoutMs: integer("timeout_ms").notNull().default(10_000),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.name] })],
);

/**
 * An admin's reset of a host's recovery guardrails for one target (the circuit breaker and the
 * crash-loop hold): failures and restarts before `resetAt` no longer count toward tripping them.
 * The history rows themselves stay as they were; one row per (host, target), the latest reset.
 */
export const guardrailResets = sqliteTable(
  "guardrail_resets",
  {
    orgId: text("org_id").notNull(),
    hostId: text("host_id")
      .notNull()
      .references(() => hosts.id),
    target: text("target").notNull().default(""),
    resetAt: integer("reset_at").notNull(),
    resetBy: text("reset_by").notNull(),
  },
  (t) => [primaryKey({ columns: [t.hostId, t.target] })],
);
