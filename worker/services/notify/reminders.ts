/**
 * Repeat reminders (Alertmanager's repeat_interval): for each channel with `repeatMinutes`, every
 * issue it announced that is still unresolved and unacknowledged gets a reminder delivery once per
 * interval, counted from when its opened message was delivered. The interval's number is part of
 * the delivery's event key, so the unique (channel, issue, event key) index lets a second cron run
 * in the same interval (or two racing) add nothing: at most one reminder per interval per channel.
 */
import { and, eq, inArray, isNotNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { channels } from "../../db/schema";
import { REMINDS } from "./channel-config";

const QUEUE = `INSERT INTO deliveries
    (id, org_id, channel_id, notification_id, issue_id, event, event_key, group_key, status,
     attempts, next_attempt_at, created_at, updated_at)
  SELECT 'dlv_' || lower(hex(randomblob(10))), d.org_id, d.channel_id, NULL, d.issue_id, 'reminder',
    -- a bound number may arrive as REAL: the interval's number must be a whole one
    'reminder:' || CAST((?1 - d.delivered_at) / (c.repeat_minutes * 60000) AS INTEGER),
    'reminders', 'pending', 0, ?1, ?1, ?1
  FROM deliveries d
  JOIN channels c ON c.id = d.channel_id
  JOIN issues i ON i.id = d.issue_id AND i.org_id = d.org_id
  WHERE d.channel_id = ?2 AND d.event = 'opened' AND d.status = 'delivered'
    AND i.status != 'resolved' AND i.acknowledged_at IS NULL
    AND ?1 - d.delivered_at >= c.repeat_minutes * 60000
  ON CONFLICT DO NOTHING`;

/** Queues the reminders due at `now`; they are due at once, so this run's flush sends them. */
export async function queueReminders(db: Db, now: number): Promise<number> {
  const reminding = await db
    .select({ id: channels.id })
    .from(channels)
    .where(
      and(
        eq(channels.enabled, true),
        isNotNull(channels.repeatMinutes),
        inArray(channels.kind, [...REMINDS]),
      ),
    );
  if (reminding.length === 0) return 0;
  const results = await db.$client.batch(reminding.map((c) => db.$client.prepare(QUEUE).bind(now, c.id)));
  return results.reduce((n, r) => n + (r.meta.changes ?? 0), 0);
}
