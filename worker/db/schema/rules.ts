import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Rule } from "../../../agent/engine";
import { orgs } from "./tenancy";

/** An org's custom rules and its overrides of the built-ins, keyed `<org>:<rule id>`. */
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
