import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { HostEngineState, Metrics } from "../../../agent/engine";
import type { HostFacts } from "../../../agent/protocol";
import type { HealingConfig } from "../../schemas/config";

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

// "metrics": may only scrape GET /metrics.
// "operator": may read, approve/reject commands and run recoveries.
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
    /** The person who made it (null: the org's, as agents' and enrolment tokens are). */
    ownerUserId: text("owner_user_id"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    expiresAt: integer("expires_at"),
    revokedAt: integer("revoked_at"),
    /** Enroll tokens: successful enrolments so far, and the cap (null: unlimited). */
    uses: integer("uses").notNull().default(0),
    maxUses: integer("max_uses"),
    /** Enroll tokens: the host groups they may enrol into (null: any). */
    hostGroups: text("host_groups", { mode: "json" }).$type<string[]>(),
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
    /** The agent's Ed25519 public key (raw 32 bytes, base64): null for hosts enrolled before host keys. */
    publicKey: text("public_key"),
    /** The time (epoch ms) of the last key proof accepted: a proof must be newer (replays refused). */
    keyProofAt: integer("key_proof_at"),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at"),
    engineState: text("engine_state", { mode: "json" }).$type<HostEngineState>(),
    metrics: text("metrics", { mode: "json" }).$type<Metrics>(),
    metricsAt: integer("metrics_at"),
    healthScore: real("health_score"),
    /** The latest text of each custom check, by check:<name>.status's <name> (evidence). */
    checkOutputs: text("check_outputs", { mode: "json" }).$type<Record<string, HostCheckOutput>>(),
    /**
     * When an admin retired the host (DELETE /api/v1/hosts/{id}): its tokens are revoked and its
     * history kept for retention, but it no longer counts in fleet pages, gates or silence checks.
     */
    retiredAt: integer("retired_at"),
  },
  (t) => [
    uniqueIndex("hosts_org_name_uq").on(t.orgId, t.name),
    // The cron's silence sweep reads only hosts whose summary is older than the shortest threshold.
    index("hosts_last_seen_idx").on(t.lastSeenAt),
    // Each report counts its group's hosts (rolling recovery): without it, every host of the org.
    index("hosts_org_group_idx").on(t.orgId, t.group),
  ],
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

export const settings = sqliteTable("settings", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id),
  config: text("config", { mode: "json" }).$type<Partial<HealingConfig>>().notNull(),
  updatedAt: integer("updated_at").notNull(),
});
