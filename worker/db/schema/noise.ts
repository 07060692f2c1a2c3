/**
 * Operators' noise marks: "this finding was noise". Each mark raises its rule's bar on that host
 * (agent/engine/diagnostics.ts raiseBar); deleting it (undo) lowers the bar again. One per issue.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { hosts } from "./hosts";
import { orgs } from "./tenancy";

export const noiseMarks = sqliteTable(
  "noise_marks",
  {
    /** The issue marked: one mark per issue. */
    issueId: text("issue_id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    hostId: text("host_id")
      .notNull()
      .references(() => hosts.id),
    ruleId: text("rule_id").notNull(),
    target: text("target").notNull().default(""),
    reason: text("reason").notNull(),
    /** The name of the token that marked it. */
    markedBy: text("marked_by").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("noise_marks_host_idx").on(t.orgId, t.hostId)],
);
