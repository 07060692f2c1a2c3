import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Samples an agent had to drop (its offline spool reached its size cap during an outage), as the
 * agent reported them. One row per gap start: a re-sent report only widens a gap.
 */
export const sampleGaps = sqliteTable(
  "sample_gaps",
  {
    orgId: text("org_id").notNull(),
    hostId: text("host_id").notNull(),
    fromTs: integer("from_ts").notNull(),
    toTs: integer("to_ts").notNull(),
    samples: integer("samples").notNull(),
    results: integer("results").notNull().default(0),
    reportedAt: integer("reported_at").notNull(),
  },
  (t) => [uniqueIndex("sample_gaps_host_from_idx").on(t.hostId, t.fromTs)],
);
