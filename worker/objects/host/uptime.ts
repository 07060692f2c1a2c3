/**
 * Availability, accumulated by the host's object from its reports (no D1 call): each report
 * credits the time since the previous one, split by UTC day, to the host (seen) and to each of its
 * services as they were reported then (known, and up). A gap longer than the silence threshold
 * credits nothing: silent time is down time for the host and unknown time for its services. The
 * alarm writes the day totals with the once-a-minute summary (uptime_days); the fleet pages read
 * only those rows (services/fleet/uptime).
 */
import { sql } from "drizzle-orm";
import type { Db, Statement } from "../../db/client";
import { uptimeDays } from "../../db/schema";
import type { ServiceRow } from "../../services/ingest/report/load";

export const DAY_MS = 86_400_000;
/** [up seconds, observed seconds] */
type Pair = [number, number];
export interface UptimeDay {
  host: number;
  services: Record<string, Pair>;
}
/** Day number (days since the epoch, UTC) → totals; only today and yesterday are kept. */
export type UptimeDays = Record<string, UptimeDay>;

export const dayOf = (ms: number) => Math.floor(ms / DAY_MS);

export function accrue(
  days: UptimeDays | undefined,
  from: number | null,
  now: number,
  silenceMs: number,
  services: ServiceRow[] | null,
): UptimeDays {
  const out: UptimeDays = {};
  const today = dayOf(now);
  for (const [day, totals] of Object.entries(days ?? {}))
    if (Number(day) >= today - 1) out[day] = { host: totals.host, services: { ...totals.services } };
  if (from === null || now <= from || now - from > silenceMs) return out;
  for (let start = from; start < now; ) {
    const day = dayOf(start);
    const end = Math.min(now, (day + 1) * DAY_MS);
    const seconds = (end - start) / 1000;
    if (day >= today - 1) {
      out[day] ??= { host: 0, services: {} };
      const totals = out[day];
      totals.host += seconds;
      for (const s of services ?? []) {
        if (s.stopped || s.status === "unknown") continue; // stopped on purpose, or not known
        totals.services[s.name] ??= [0, 0];
        const pair = totals.services[s.name];
        pair[1] += seconds;
        if (s.status === "up") pair[0] += seconds;
      }
    }
    start = end;
  }
  return out;
}

/** Rows per statement: D1 binds at most 100 values. */
const ROWS_PER_STATEMENT = 14;

/** Upserts of the day totals; a total only grows (a replayed or late write never lowers it). */
export function uptimeStatements(db: Db, orgId: string, hostId: string, days: UptimeDays, now: number) {
  const rows = Object.entries(days).flatMap(([day, totals]) => [
    {
      orgId,
      hostId,
      service: "",
      day: Number(day),
      upSeconds: totals.host,
      observedSeconds: totals.host,
      updatedAt: now,
    },
    ...Object.entries(totals.services).map(([service, [up, observed]]) => ({
      orgId,
      hostId,
      service,
      day: Number(day),
      upSeconds: up,
      observedSeconds: observed,
      updatedAt: now,
    })),
  ]);
  const statements: Statement[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT)
    statements.push(
      db
        .insert(uptimeDays)
        .values(rows.slice(i, i + ROWS_PER_STATEMENT))
        .onConflictDoUpdate({
          target: [uptimeDays.hostId, uptimeDays.service, uptimeDays.day],
          set: {
            upSeconds: sql`max(${uptimeDays.upSeconds}, excluded.up_seconds)`,
            observedSeconds: sql`max(${uptimeDays.observedSeconds}, excluded.observed_seconds)`,
            updatedAt: sql`excluded.updated_at`,
          },
        }),
    );
  return statements;
}
