/** Recovery: the command queue, its history, and the guardrails around it. */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { hosts } from "./hosts";

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
