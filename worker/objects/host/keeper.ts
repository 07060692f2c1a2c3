/**
 * Where a report's steady data goes (services/report ReportKeeper): samples to the object's
 * history, services to D1 only when the list differs from what D1 last received, and the host
 * summary (last seen, metrics, health, check outputs, facts) to D1 at most once a minute, or with
 * a batch that goes out anyway. The engine state stays in the object.
 */
import { and, eq } from "drizzle-orm";
import type { EngineSample } from "../../../agent/engine";
import type { Db } from "../../db/client";
import { hosts } from "../../db/schema";
import type { ReportKeeper } from "../../services/report";
import { type HostColumns, hostUpdate } from "../../services/report/host-row";
import type { HostRow, ReportContext } from "../../services/report/load";
import { upsertServices } from "../../services/report/store";
import { type HotState, servicesKey } from "./hot-state";

export const SUMMARY_EVERY_MS = 60_000;

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
      if (!urgent && hot && now - hot.summaryAt < SUMMARY_EVERY_MS) return null;
      const set = hostUpdate(d1Host, { ...next, engineState: d1Host.engineState });
      kept.summary = set;
      return db
        .update(hosts)
        .set(set)
        .where(and(eq(hosts.id, ctx.host.id), eq(hosts.orgId, ctx.orgId)));
    },
  };
  return keeper;
}
