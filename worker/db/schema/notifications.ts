import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { SEVERITIES } from "../../../agent/engine/types";
import { orgs } from "./tenancy";

export const channelKinds = [
  "slack",
  "pagerduty",
  "webhook",
  "email",
  "teams",
  "discord",
  "telegram",
  "opsgenie",
] as const;
export type ChannelKind = (typeof channelKinds)[number];
export interface ChannelSettings {
  from?: string;
  to?: string[];
  chatId?: string;
}

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
    /**
     * Slack, Teams or Discord webhook URL, webhook URL, or the API base override of PagerDuty,
     * email, Telegram or Opsgenie (null: the public one).
     */
    url: text("url"),
    /** PagerDuty routing key, webhook signing secret, email or Opsgenie API key, Telegram bot token. */
    secret: text("secret"),
    /** What a kind needs beyond url and secret: email's from and to, Telegram's chat id. */
    settings: text("settings", { mode: "json" }).$type<ChannelSettings>(),
    /** Remind of a still-unresolved, unacknowledged issue every this many minutes (null: never). */
    repeatMinutes: integer("repeat_minutes"),
    minSeverity: text("min_severity", { enum: SEVERITIES }).notNull().default("high"),
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
    /** Unused: links come from SELFHEAL_PUBLIC_URL only, never from a request's Host header. */
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
