import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { SEVERITIES } from "../../../agent/engine/types";

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
    severity: text("severity", { enum: SEVERITIES }).notNull().default("high"),
    createdAt: integer("created_at").notNull(),
    lastCheckedAt: integer("last_checked_at"),
    lastOk: integer("last_ok", { mode: "boolean" }),
    lastStatus: integer("last_status"),
    lastLatencyMs: integer("last_latency_ms"),
    lastError: text("last_error"),
  },
  (t) => [index("edge_checks_org_idx").on(t.orgId)],
);
