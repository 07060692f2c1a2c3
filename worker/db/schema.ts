/**
 * The D1 schema. Times are epoch milliseconds (integers); JSON columns hold plain data.
 * Every table a tenant can reach carries org_id, directly or through its host.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { HostEngineState, Metrics, Rule } from "../../agent/engine";
import type { HostFacts } from "../../agent/protocol";
import type { HealingConfig } from "../schemas/config";

export interface HostCheckOutput {
  status: "ok" | "warning" | "critical" | "unknown";
  output: string;
  /** When the edge received it (epoch ms). */
  at: number;
}

export const orgs = sqliteTable("orgs", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull(),
});

// "metrics": may only scrape GET /metrics (issue 5).
// "operator": may read, approve/reject commands and run recoveries (issue 7's scope, added by issue 4).
export const tokenScopes = ["admin", "read", "enroll", "agent", "metrics", "operator"] as const;
export type TokenScope = (typeof tokenScopes)[number];

export const tokens = sqliteTable(
  "tokens",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    scope: text("scope", { enum: tokenScopes }).notNull(),
    /** The first characters of the token, for display; the token itself is never stored. */
    prefix: text("prefix").notNull(),
    /** SHA-256 hex of the whole token. */
    hash: text("hash").notNull(),
    hostId: text("host_id"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    expiresAt: integer("expires_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    uniqueIndex("tokens_hash_uq").on(t.hash),
    index("tokens_org_idx").on(t.orgId),
    index("tokens_host_idx").on(t.hostId),
  ],
);

export const hosts = sqliteTable(
  "hosts",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    facts: text("facts", { mode: "json" }).$type<HostFacts>().notNull(),
    group: text("host_group"),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at"),
    engineState: text("engine_state", { mode: "json" }).$type<HostEngineState>(),
    metrics: text("metrics", { mode: "json" }).$type<Metrics>(),
    metricsAt: integer("metrics_at"),
    healthScore: real("health_score"),
    /** The latest text of each custom check, by check:<name>.status's <name> (issue 10: evidence). */
    checkOutputs: text("check_outputs", { mode: "json" }).$type<Record<string, HostCheckOutput>>(),
  },
  (t) => [uniqueIndex("hosts_org_name_uq").on(t.orgId, t.name)],
);

/** One wide row per sample; metrics without a column of their own go to `extra`. */
export const metricSamples = sqliteTable(
  "metric_samples",
  {
    hostId: text("host_id").notNull(),
    ts: integer("ts").notNull(),
    cpu: real("cpu"),
    memory: real("memory"),
    disk: real("disk"),
    load1: real("load1"),
    netRx: real("net_rx"),
    netTx: real("net_tx"),
    extra: text("extra", { mode: "json" }).$type<Metrics>(),
  },
  (t) => [primaryKey({ columns: [t.hostId, t.ts] })],
);

export const serviceStates = sqliteTable(
  "service_states",
  {
    hostId: text("host_id").notNull(),
    name: text("name").notNull(),
    kind: text("kind").notNull(),
    status: text("status", { enum: ["up", "down", "unknown"] }).notNull(),
    detail: text("detail"),
    stopped: integer("stopped", { mode: "boolean" }).notNull().default(false),
    changedAt: integer("changed_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.hostId, t.name] })],
);

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
    // ---- Diagnostics (issue 3): flapping, correlation and the rule as it was when it opened ----
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
    // ---- Response-time targets (issue 10) ----
    /** The deadline by severity, set at opening (epoch ms); null for issues opened before it existed. */
    respondBy: integer("respond_by"),
    /** When the sweep found it unresolved past respondBy (and notified, once). */
    breachedAt: integer("breached_at"),
  },
  (t) => [
    index("issues_org_status_idx").on(t.orgId, t.status, t.detectedAt),
    index("issues_org_detected_idx").on(t.orgId, t.detectedAt),
    index("issues_host_status_idx").on(t.hostId, t.status),
    // One host + rule + target has at most one issue that is not resolved.
    uniqueIndex("issues_one_unresolved_uq").on(t.hostId, t.ruleId, t.target).where(sql`status <> 'resolved'`),
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
  // A human said no to an awaiting_approval command (issue 4).
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
    // "local": a restart the agent did on its own while cut off from the Worker (issue 4).
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
  ],
);

export const settings = sqliteTable("settings", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id),
  config: text("config", { mode: "json" }).$type<Partial<HealingConfig>>().notNull(),
  updatedAt: integer("updated_at").notNull(),
});

// ---- Notifications and integrations (issue 5) ----

export const channelKinds = ["slack", "pagerduty", "webhook"] as const;
export type ChannelKind = (typeof channelKinds)[number];
export const severities = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof severities)[number];

/** Where notifications go. `url` and `secret` are stored but only ever returned masked. */
export const channels = sqliteTable(
  "channels",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    kind: text("kind", { enum: channelKinds }).notNull(),
    /** Slack webhook URL, webhook URL, or PagerDuty endpoint override (null: the public one). */
    url: text("url"),
    /** PagerDuty routing key or webhook signing secret. */
    secret: text("secret"),
    minSeverity: text("min_severity", { enum: severities }).notNull().default("high"),
    hosts: text("hosts", { mode: "json" }).$type<string[]>(),
    groups: text("groups", { mode: "json" }).$type<string[]>(),
    rules: text("rule_ids", { mode: "json" }).$type<string[]>(),
    groupBy: text("group_by", { mode: "json" }).$type<string[]>().notNull(),
    groupWaitSeconds: integer("group_wait_seconds").notNull().default(10),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("channels_org_idx").on(t.orgId)],
);

/**
 * The outbox: one row per issue event, written in the same batch as the issue change, then
 * fanned out to the matching channels' deliveries.
 */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    issueId: text("issue_id").notNull(),
    event: text("event").notNull(),
    /** Unique per issue: the event, plus the command id for recovery events. */
    eventKey: text("event_key").notNull(),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: integer("created_at").notNull(),
    dispatchedAt: integer("dispatched_at"),
  },
  (t) => [
    uniqueIndex("notifications_issue_event_uq").on(t.issueId, t.eventKey),
    index("notifications_undispatched_idx").on(t.dispatchedAt),
  ],
);

export const deliveryStatuses = ["pending", "sending", "delivered", "failed", "skipped"] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** One notification for one channel; several due in one group go out as one message. */
export const deliveries = sqliteTable(
  "deliveries",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    channelId: text("channel_id").notNull(),
    notificationId: text("notification_id"),
    /** Null for test sends. */
    issueId: text("issue_id"),
    event: text("event").notNull(),
    eventKey: text("event_key").notNull(),
    groupKey: text("group_key").notNull(),
    status: text("status", { enum: deliveryStatuses }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** When it is due: after the group wait, the backoff, or a claim's lease. */
    nextAttemptAt: integer("next_attempt_at").notNull(),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    /** The dashboard origin known when the event was fanned out (for links). */
    origin: text("origin"),
    /** PagerDuty: the dedup_key sent (a storm's issues share their group's first issue id). */
    dedupKey: text("dedup_key"),
    createdAt: integer("created_at").notNull(),
    deliveredAt: integer("delivered_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    // One issue never triggers (or resolves) twice on one channel.
    uniqueIndex("deliveries_channel_issue_event_uq").on(t.channelId, t.issueId, t.eventKey),
    index("deliveries_due_idx").on(t.status, t.nextAttemptAt),
    index("deliveries_org_created_idx").on(t.orgId, t.createdAt),
  ],
);

/** A post-deploy watch: did health drop, or a serious issue open, in the window after a deploy? */
export const gateWatches = sqliteTable(
  "gate_watches",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    hostGroup: text("host_group"),
    hostId: text("host_id"),
    healthBefore: real("health_before"),
    maxDrop: real("max_drop").notNull(),
    startedAt: integer("started_at").notNull(),
    endsAt: integer("ends_at").notNull(),
  },
  (t) => [index("gate_watches_org_idx").on(t.orgId)],
);

/** Public endpoints checked from the Cron Trigger; a failing one opens an issue on the org's "edge" host. */
export const edgeChecks = sqliteTable(
  "edge_checks",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    url: text("url").notNull(),
    expectStatus: integer("expect_status").notNull().default(200),
    timeoutMs: integer("timeout_ms").notNull().default(10_000),
    severity: text("severity", { enum: severities }).notNull().default("high"),
    createdAt: integer("created_at").notNull(),
    lastCheckedAt: integer("last_checked_at"),
    lastOk: integer("last_ok", { mode: "boolean" }),
    lastStatus: integer("last_status"),
    lastLatencyMs: integer("last_latency_ms"),
    lastError: text("last_error"),
  },
  (t) => [index("edge_checks_org_idx").on(t.orgId)],
);

// ---- Recovery guardrails (issue 4) ----

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
  (t) => [index("maintenance_org_ends_idx").on(t.orgId, t.endsAt)],
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
