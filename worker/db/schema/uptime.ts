import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Availability buckets: per UTC day, the seconds a host was seen reporting (service "") and,
 * for each of its services, the seconds its state was known and the seconds it was up. The host's
 * object accumulates them from its reports and writes them with its once-a-minute summary
 * (objects/host/uptime.ts); the fleet pages read only these rows (services/fleet/uptime.ts).
 */
export const uptimeDays = sqliteTable(
  "uptime_days",
  {
    orgId: text("org_id").notNull(),
    hostId: text("host_id").notNull(),
    /** "" for the host itself, else the service's name. */
    service: text("service").notNull(),
    /** Days since the Unix epoch (UTC). */
    day: integer("day").notNull(),
    upSeconds: real("up_seconds").notNull(),
    /** Services: seconds their state was known. The host: seconds covered by its reports. */
    observedSeconds: real("observed_seconds").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.hostId, t.service, t.day] }),
    index("uptime_org_day_idx").on(t.orgId, t.day),
  ],
);
