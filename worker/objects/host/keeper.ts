/**
 * Where a report's steady data goes (services/ingest/report ReportKeeper): samples to the object's
 * history, services to D1 only when the list differs from what D1 last received, and the host
 * summary (last seen, metrics, health, check outputs, facts) to D1 with a batch that goes out
 * anyway, or with the host's first report; otherwise at most once a minute, by the report that
 * finds it due, after its answer (summaryDue, summaryStatement), with the object's alarm as the
 * late fallback (summaryAlarmAt). The engine state stays in the object.
 */
import { and, eq } from "drizzle-orm";
import type { EngineSample } from "../../../agent/engine";
import type { Db, Statement } from "../../db/client";
import { hosts } from "../../db/schema";
import type { ReportKeeper } from "../../services/ingest/report";
import { type HostColumns, hostUpdate } from "../../services/ingest/report/host-row";
import type { HostRow, ReportContext } from "../../services/ingest/report/load";
import { upsertServices } from "../../services/ingest/report/store";
import { type HotState, servicesKey } from "./hot-state";
import { uptimeStatements } from "./uptime";

export const SUMMARY_EVERY_MS = 60_000;
/**
 * How late after the minute the alarm writes a summary the reports did not: the host stopped
 * reporting, or the write of the report that found it due failed.
 */
export const SUMMARY_LATE_MS = 180_000;

/**
 * A report's summary and uptime totals are due in D1: the minute since either was last written
 * is up and the host reported since. The report that finds them due writes both after its answer,
 * in the object that is warm for it, so the minute costs no second invocation (an alarm at the
 * minute mark would rebuild the object of a host reporting every 10-30 s from storage).
 */
export function summaryDue(hot: HotState, now: number): boolean {
  const due = (writtenAt: number) => hot.host.lastSeenAt > writtenAt && now >= writtenAt + SUMMARY_EVERY_MS;
  return due(hot.summaryAt) || (hot.uptime !== undefined && due(hot.uptimeFlushedAt ?? hot.summaryAt));
}

/**
 * The alarm's fallback for a summary (or an uptime flush) last written at `writtenAt`: late after
 * the minute, so it only fires when no report wrote it by then. It stays put from one report to
 * the next, so a steady host's reports do not move the alarm.
 */
export function summaryAlarmAt(writtenAt: number, now: number) {
  return Math.max(writtenAt + SUMMARY_EVERY_MS, now) + SUMMARY_LATE_MS;
}

/** Retention (roll-up and pruning) runs this often while the host reports. */
export const RETENTION_EVERY_MS = 60 * 60_000;

/** When the object's alarm has work: re-delivery, the next summary and uptime flush, retention. */
export function alarmTimes(hot: HotState | null, redeliverAt: number | undefined, now: number): number[] {
  const due: number[] = [];
  if (redeliverAt !== undefined) due.push(redeliverAt);
  if (!hot) return due;
  if (hot.host.lastSeenAt > hot.summaryAt) due.push(summaryAlarmAt(hot.summaryAt, now));
  const uptimeAt = hot.uptimeFlushedAt ?? hot.summaryAt;
  if (hot.host.lastSeenAt > uptimeAt) due.push(summaryAlarmAt(uptimeAt, now));
  // an object whose host stopped reporting stops waking: its next report sets the alarm again
  if (now - hot.host.lastSeenAt < RETENTION_EVERY_MS) due.push((hot.retainedAt ?? 0) + RETENTION_EVERY_MS);
  return due;
}

export function keeperFor(db: Db, ctx: ReportContext, d1Host: HostRow, hot: HotState | null, now: number) {
  const kept = { samples: [] as EngineSample[], summary: null as Partial<HostColumns> | null };
  const keeper: ReportKeeper & { kept: typeof kept } = {
    kept,
    samples(samples) {
      kept.samples = samples;
    },
    services(services) {
      if (hot?.servicesKey === servicesKey(services)) return [];
      return upsertServices(ctx.host.id, services, now);
    },
    host(next, urgent) {
      if (!urgent && hot && hot.summaryAt > 0) return null;
      const { set, statement } = summaryStatement(db, ctx.orgId, ctx.host.id, next, d1Host);
      kept.summary = set;
      return statement;
    },
  };
  return keeper;
}

/** The D1 update of a host's summary: only the columns that differ from D1's row when it is known. */
export function summaryStatement(
  db: Db,
  orgId: string,
  hostId: string,
  next: HostColumns & { lastSeenAt: number },
  d1Host: HostRow | null,
) {
  const { engineState: _kept, ...columns } = next; // the engine state stays in the object
  const set = d1Host ? hostUpdate(d1Host, { ...next, engineState: d1Host.engineState }) : columns;
  const statement = db
    .update(hosts)
    .set(set)
    .where(and(eq(hosts.id, hostId), eq(hosts.orgId, orgId)));
  return { set, statement };
}

/**
 * What the host reported since D1 last got it, as one batch: the summary and the uptime totals,
 * each if newer; `done`: the marks to move once the batch is written.
 */
export function summaryWrites(db: Db, hot: HotState, d1Host: HostRow | null, now: number) {
  const statements: Statement[] = [];
  const done: Partial<HotState> = {};
  let set: ReturnType<typeof summaryStatement>["set"] | null = null;
  if (hot.host.lastSeenAt > hot.summaryAt) {
    const summary = summaryStatement(db, hot.orgId, hot.hostId, hot.host, d1Host);
    statements.push(summary.statement);
    set = summary.set;
    done.summaryAt = now;
  }
  if (hot.uptime && hot.host.lastSeenAt > (hot.uptimeFlushedAt ?? hot.summaryAt)) {
    statements.push(...uptimeStatements(db, hot.orgId, hot.hostId, hot.uptime, now));
    done.uptimeFlushedAt = now;
  }
  return { statements, done, set };
}
