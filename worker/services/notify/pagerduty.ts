/**
 * PagerDuty delivery for one claimed group. A storm's triggers become one incident whose
 * dedup_key is the group's first issue id (each delivery remembers the key it went out under);
 * a resolve goes out under that key once every issue of the incident is resolved, and only once.
 */
import { and, count, eq, inArray, ne } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type channels, deliveries, issues } from "../../db/schema";
import {
  type OutgoingEvent,
  PAGERDUTY_URL,
  pagerDutyAction,
  pagerDutyBody,
  pagerDutyGroupBody,
} from "./format";
import { acknowledgeIncident } from "./pagerduty-ack";
import { type SendOutcome, send } from "./send";

type ChannelRow = typeof channels.$inferSelect;
export interface Result {
  /** null: not attempted (waits for the trigger before it). */
  outcome: SendOutcome | null;
  dedupKey?: string;
  /** Set when nothing needs sending for this event; the reason is logged. */
  skip?: string;
}

export async function deliverPagerDuty(db: Db, ch: ChannelRow, events: OutgoingEvent[], now: number) {
  const url = ch.url ?? PAGERDUTY_URL;
  const key = ch.secret ?? "";
  const results = new Map<string, Result>();
  const triggers = events.filter((e) => pagerDutyAction(e.event) === "trigger");
  const resolves = events.filter((e) => pagerDutyAction(e.event) === "resolve");
  const keyOfIssue = new Map<string, string>();
  if (triggers.length > 0) {
    const lead = triggers[0].issue.id;
    const body = triggers.length === 1 ? pagerDutyBody(key, triggers[0]) : pagerDutyGroupBody(key, triggers);
    const outcome = await send(url, JSON.stringify(body), {}, now);
    for (const t of triggers) {
      results.set(t.deliveryId, { outcome, dedupKey: lead });
      keyOfIssue.set(t.issue.id, lead);
    }
    if (outcome.kind === "retry") {
      for (const r of resolves) results.set(r.deliveryId, { outcome: null });
      return events.map((e) => results.get(e.deliveryId) ?? { outcome: null });
    }
  }
  if (resolves.length > 0) {
    const stored = await db
      .select({ issueId: deliveries.issueId, dedupKey: deliveries.dedupKey })
      .from(deliveries)
      .where(
        and(
          eq(deliveries.channelId, ch.id),
          eq(deliveries.event, "opened"),
          inArray(
            deliveries.issueId,
            resolves.map((r) => r.issue.id),
          ),
        ),
      );
    for (const s of stored)
      if (s.issueId && s.dedupKey && !keyOfIssue.has(s.issueId)) keyOfIssue.set(s.issueId, s.dedupKey);
  }
  const byKey = new Map<string, OutgoingEvent[]>();
  for (const r of resolves) {
    const k = keyOfIssue.get(r.issue.id) ?? r.issue.id;
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  for (const [dedupKey, group] of byKey) {
    const result = await resolveOnce(db, ch, dedupKey, group[0], now);
    for (const r of group) results.set(r.deliveryId, result);
  }
  for (const a of events.filter((e) => pagerDutyAction(e.event) === "acknowledge"))
    results.set(a.deliveryId, await acknowledgeIncident(db, ch, a, now, keyOfIssue.get(a.issue.id)));
  return events.map(
    (e) => results.get(e.deliveryId) ?? { outcome: null, skip: "PagerDuty has no action for this event" },
  );
}

async function resolveOnce(
  db: Db,
  ch: ChannelRow,
  dedupKey: string,
  e: OutgoingEvent,
  now: number,
): Promise<Result> {
  const [open] = await db
    .select({ n: count() })
    .from(deliveries)
    .innerJoin(issues, eq(issues.id, deliveries.issueId))
    .where(
      and(
        eq(deliveries.channelId, ch.id),
        eq(deliveries.event, "opened"),
        eq(deliveries.dedupKey, dedupKey),
        ne(issues.status, "resolved"),
      ),
    );
  if (open.n > 0)
    return { outcome: null, dedupKey, skip: `${open.n} issue(s) of incident ${dedupKey} still open` };
  const [done] = await db
    .select({ n: count() })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.channelId, ch.id),
        eq(deliveries.event, "resolved"),
        eq(deliveries.dedupKey, dedupKey),
        eq(deliveries.status, "delivered"),
      ),
    );
  if (done.n > 0) return { outcome: null, dedupKey, skip: `incident ${dedupKey} already resolved` };
  const body = { ...pagerDutyBody(ch.secret ?? "", e), dedup_key: dedupKey };
  return { outcome: await send(ch.url ?? PAGERDUTY_URL, JSON.stringify(body), {}, now), dedupKey };
}
