/**
 * Settings per host group and per host, over the org's (services/config/scope): alert thresholds and
 * per-rule overrides. The most specific level wins: host, then group, then the org.
 */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { AlertThresholds } from "../../../agent/protocol";
import type { ScopedRulePatch } from "../../schemas/scope";
import { orgs } from "./tenancy";

export const scopeKinds = ["group", "host"] as const;
export type ScopeKind = (typeof scopeKinds)[number];

export const scopeOverrides = sqliteTable(
  "scope_overrides",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    kind: text("kind", { enum: scopeKinds }).notNull(),
    /** The group's name, or the host's id. */
    key: text("key").notNull(),
    thresholds: text("thresholds", { mode: "json" }).$type<Partial<AlertThresholds>>().notNull(),
    rules: text("rules", { mode: "json" }).$type<Record<string, ScopedRulePatch>>().notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.kind, t.key] })],
);
