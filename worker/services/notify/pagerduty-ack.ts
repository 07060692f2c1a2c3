/**
 * PagerDuty `acknowledge`: sent under the dedup_key the issue's trigger went
 * out with on this channel (a storm's group key included), so it acknowledges that incident.
 * No trigger on this channel: nothing to acknowledge (skipped); trigger not sent yet: wait for it.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type channels, deliveries } from "../../db/schema";
import { type OutgoingEvent, PAGERDUTY_URL, pagerDutyBody } from "./format";
import type { Result } from "./pagerduty";
import { send } from "./send";

type ChannelRow = typeof channels.$inferSelect;

export async function acknowledgeIncident(
  db: Db,
  ch: ChannelRow,
  e: OutgoingEvent,
  now: number,
  sentKey?: string,
): Promise<Result> {
  let dedupKey = sentKey;
  if (!dedupKey) {
    const [opened] = await db
      .select({ status: deliveries.status, dedupKey: deliveries.dedupKey })
      .from(deliveries)
      .where(
        and(
          eq(deliveries.channelId, ch.id),
          eq(deliveries.event, "opened"),
          eq(deliveries.issueId, e.issue.id),
        ),
      );
    if (!opened || opened.status === "failed" || opened.status === "skipped")
      return { outcome: null, skip: "no PagerDuty incident was triggered for this issue" };
    if (opened.status !== "delivered" || !opened.dedupKey) return { outcome: null };
    dedupKey = opened.dedupKey;
  }
  const body = { ...pagerDutyBody(ch.secret ?? "", e), dedup_key: dedupKey };
  return { outcome: await send(ch.url ?? PAGERDUTY_URL, JSON.stringify(body), {}, now), dedupKey };
}
