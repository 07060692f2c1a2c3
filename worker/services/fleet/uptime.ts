/**
 * Availability per host, per service and for the fleet over 24 h, 7 d and 30 d, from D1 alone:
 * the day buckets the host objects write (objects/host/uptime.ts) and the host summaries. A host's
 * availability is the time it was seen reporting over the time it existed in the window (silent
 * time counts as down), up to its last flushed report while it reports, up to now once silent; a
 * service's is the time it was up over the time its state was known. The oldest day of a window
 * counts pro rata (the buckets are days).
 */
import { and, asc, eq, gte, isNotNull, isNull, ne } from "drizzle-orm";
import type { Db } from "../../db/client";
import { hosts, uptimeDays } from "../../db/schema";
import { SUMMARY_EVERY_MS } from "../../objects/host/keeper";
import { DAY_MS, dayOf } from "../../objects/host/uptime";
import type { Availability, AvailabilityWindows } from "../../schemas/uptime";
import { configQuery, resolveConfig } from "../config/healing-config";
import { EDGE_HOST } from "../edge/run-checks";
import { silenceAfterMs } from "./silence/policy";

export const WINDOWS = { "24h": DAY_MS, "7d": 7 * DAY_MS, "30d": 30 * DAY_MS } as const;
type Window = keyof typeof WINDOWS;
const names = Object.keys(WINDOWS) as Window[];

const round = (n: number) => Math.round(n * 1e6) / 1e6;
const ratio = (up: number, of: number) => (of > 0 ? round(Math.min(1, up / of)) : null);

/** The part of a day bucket inside the window that starts at `from`. */
const weight = (day: number, from: number) => Math.max(0, Math.min(1, ((day + 1) * DAY_MS - from) / DAY_MS));

export async function availability(db: Db, orgId: string, now: number): Promise<Availability> {
  const [hostRows, rows, settingsRows] = await db.batch([
    db
      .select({ id: hosts.id, name: hosts.name, createdAt: hosts.createdAt, lastSeenAt: hosts.lastSeenAt })
      .from(hosts)
      .where(
        and(
          eq(hosts.orgId, orgId),
          isNull(hosts.retiredAt),
          isNotNull(hosts.lastSeenAt),
          ne(hosts.name, EDGE_HOST),
        ),
      )
      .orderBy(asc(hosts.name)),
    db
      .select()
      .from(uptimeDays)
      .where(and(eq(uptimeDays.orgId, orgId), gte(uptimeDays.day, dayOf(now - WINDOWS["30d"]))))
      .orderBy(asc(uptimeDays.service)),
    configQuery(db, orgId),
  ]);
  // D1's summary may be a minute behind a host that reports: its time counts up to that summary.
  const quietAfter = silenceAfterMs(resolveConfig(settingsRows[0]?.config)) + SUMMARY_EVERY_MS;
  const fleet = Object.fromEntries(names.map((w) => [w, { up: 0, of: 0 }])) as Record<
    Window,
    { up: number; of: number }
  >;
  const out = hostRows.map((h) => {
    const seen = h.lastSeenAt ?? 0;
    const end = now - seen > quietAfter ? now : seen;
    const mine = rows.filter((r) => r.hostId === h.id);
    const windows = (sum: (from: number) => { up: number; of: number }, into?: typeof fleet) =>
      Object.fromEntries(
        names.map((w) => {
          const s = sum(now - WINDOWS[w]);
          if (into) {
            into[w].up += s.up;
            into[w].of += s.of;
          }
          return [w, ratio(s.up, s.of)];
        }),
      ) as AvailabilityWindows;
    const summed = (service: string, from: number) =>
      mine
        .filter((r) => r.service === service)
        .reduce(
          (acc, r) => {
            const k = weight(r.day, from);
            return { up: acc.up + r.upSeconds * k, of: acc.of + r.observedSeconds * k };
          },
          { up: 0, of: 0 },
        );
    const services = [...new Set(mine.map((r) => r.service).filter((s) => s !== ""))];
    return {
      id: h.id,
      name: h.name,
      availability: windows(
        (from) => ({ up: summed("", from).up, of: Math.max(0, end - Math.max(from, h.createdAt)) / 1000 }),
        fleet,
      ),
      services: services.map((name) => ({ name, availability: windows((from) => summed(name, from)) })),
    };
  });
  return {
    fleet: Object.fromEntries(names.map((w) => [w, ratio(fleet[w].up, fleet[w].of)])) as AvailabilityWindows,
    hosts: out,
  };
}
