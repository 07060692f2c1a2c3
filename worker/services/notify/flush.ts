/**
 * Sends due deliveries, one group (channel + group key) at a time: the group is claimed with a
 * lease first (so an overlapping cron run or waitUntil cannot send it too), then every event in
 * it goes out as one message (Slack, webhook, email, Teams, Discord, Telegram) or in order, one
 * event per call (PagerDuty, Opsgenie).
 */
import { and, asc, eq, inArray, lte, or, sql } from "drizzle-orm";
import { type Db, runBatch, type Statement } from "../../db/client";
import { channels, deliveries, hosts, issues, notifications } from "../../db/schema";
import type { Env } from "../../env";
import { deliverToKind } from "./channels";
import { type OutgoingEvent, signWebhook, slackBody, webhookBody } from "./format";
import type { IssueEvent } from "./outbox";
import { deliverPagerDuty, type Result } from "./pagerduty";
import { MAX_ATTEMPTS, retryDelayMs, send } from "./send";
import { webhookHeaders } from "./standard-webhooks";

const LEASE_MS = 60_000;
const DEFAULT_RETRY_BASE_MS = 30_000;
const GROUPS_PER_RUN = 25;
type ChannelRow = typeof channels.$inferSelect;

const CLAIM = `UPDATE deliveries SET status = 'sending', next_attempt_at = ?, updated_at = ?
  WHERE channel_id = ? AND group_key = ? AND (
    (status = 'pending' AND (next_attempt_at <= ? OR attempts = 0)) OR
    (status = 'sending' AND next_attempt_at <= ?))
  RETURNING id`;

const due = (now: number) =>
  and(inArray(deliveries.status, ["pending", "sending"]), lte(deliveries.nextAttemptAt, now));

export async function flushDue(db: Db, env: Env, now: number, channelId?: string) {
  const groups = await db
    .selectDistinct({ channelId: deliveries.channelId, groupKey: deliveries.groupKey })
    .from(deliveries)
    .where(and(due(now), channelId ? eq(deliveries.channelId, channelId) : undefined))
    .limit(GROUPS_PER_RUN);
  let sent = 0;
  for (const g of groups) sent += await flushGroup(db, env, g.channelId, g.groupKey, now);
  return sent;
}

/** The earliest moment a delivery becomes due, if within `horizonMs` (for a prompt group send). */
export async function nextDueAt(db: Db, now: number, horizonMs: number): Promise<number | null> {
  const [row] = await db
    .select({ at: deliveries.nextAttemptAt })
    .from(deliveries)
    .where(and(eq(deliveries.status, "pending"), lte(deliveries.nextAttemptAt, now + horizonMs)))
    .orderBy(asc(deliveries.nextAttemptAt))
    .limit(1);
  return row ? row.at : null;
}

async function flushGroup(db: Db, env: Env, channelId: string, groupKey: string, now: number) {
  const claimed = await db.$client
    .prepare(CLAIM)
    .bind(now + LEASE_MS, now, channelId, groupKey, now, now)
    .all<{ id: string }>();
  const ids = claimed.results.map((r) => r.id);
  if (ids.length === 0) return 0;
  // Two plain queries: drizzle's D1 batch mis-maps joined rows with JSON columns.
  const channelRows = await db.select().from(channels).where(eq(channels.id, channelId));
  const rows = await db
    .select({ d: deliveries, detail: notifications.detail, issue: issues, host: hosts })
    .from(deliveries)
    .leftJoin(notifications, eq(notifications.id, deliveries.notificationId))
    .leftJoin(issues, eq(issues.id, deliveries.issueId))
    .leftJoin(hosts, eq(hosts.id, issues.hostId))
    .where(inArray(deliveries.id, ids))
    .orderBy(asc(deliveries.createdAt), asc(sql`${deliveries}.rowid`));
  const channel = channelRows[0];
  if (!channel?.enabled) {
    await runBatch(db, [
      finish(db, ids, now, { status: "skipped", lastError: "channel removed or disabled" }),
    ]);
    return 0;
  }
  const events = rows.map((r) => toEvent(env, r));
  const results = await deliver(db, channel, groupKey, events, now);
  const outcomes = results.map((r) => r.outcome);
  // Everything of a group that must wait waits until the same moment, so it stays together.
  const failed = outcomes.find((o) => o?.kind === "retry");
  const attempts = Math.max(...rows.map((r) => r.d.attempts)) + 1;
  const baseMs = Number(env.SELFHEAL_RETRY_BASE_MS ?? DEFAULT_RETRY_BASE_MS);
  const retryAt =
    now +
    retryDelayMs(attempts, baseMs, failed?.kind === "retry" ? failed.retryAfterMs : null, Math.random());
  const statements = events.map((_, i) => apply(db, rows[i].d, results[i], now, retryAt));
  await runBatch(db, statements);
  return outcomes.filter((o) => o?.kind === "delivered").length;
}

type Row = {
  d: typeof deliveries.$inferSelect;
  detail: Record<string, unknown> | null;
  issue: typeof issues.$inferSelect | null;
  host: typeof hosts.$inferSelect | null;
};

/**
 * Links in messages come from SELFHEAL_PUBLIC_URL only. A request's Host header is the caller's to
 * choose (and a Worker cannot read its own routes), so without the variable messages carry no link.
 */
const dashboardBase = (env: Env) => env.SELFHEAL_PUBLIC_URL?.replace(/\/+$/, "") ?? null;

function toEvent(env: Env, { d, detail, issue, host }: Row): OutgoingEvent {
  const base = dashboardBase(env);
  const issueId = issue?.id ?? d.issueId ?? `test_${d.id}`;
  return {
    deliveryId: d.id,
    event: d.event as IssueEvent,
    at: d.createdAt,
    detail,
    // a test message has no issue: its link opens the channel list it was sent from
    link: base
      ? issue || d.issueId
        ? `${base}/issues/${issueId}`
        : `${base}/settings#channels-title`
      : null,
    issue: {
      id: issueId,
      hostId: host?.id ?? "",
      host: host?.name ?? "selfheal",
      hostGroup: host?.group ?? null,
      rule: issue?.ruleId ?? "test",
      ruleName: issue?.ruleName ?? "Test notification",
      target: issue?.target ?? "",
      severity: issue?.severity ?? "low",
      status: issue?.status ?? "open",
      summary: issue?.summary ?? "A test notification from selfheal",
      evidence: issue?.evidence ?? {},
      actions: issue?.actions ?? [],
      detectedAt: issue?.detectedAt ?? d.createdAt,
    },
  };
}

/** One result per event, in order. */
async function deliver(db: Db, ch: ChannelRow, groupKey: string, events: OutgoingEvent[], now: number) {
  if (ch.kind === "pagerduty") return deliverPagerDuty(db, ch, events, now);
  if (ch.kind !== "slack" && ch.kind !== "webhook") return deliverToKind(ch, events, now);
  let body: string;
  let headers: Record<string, string> = {};
  if (ch.kind === "slack") body = JSON.stringify(slackBody(events));
  else {
    body = JSON.stringify(webhookBody(ch.id, groupKey, events, now));
    headers = await webhookHeaders(ch.secret ?? "", events[0].deliveryId, now, body, signWebhook);
  }
  const outcome = await send(ch.url ?? "", body, headers, now);
  return events.map((): Result => ({ outcome }));
}

function finish(db: Db, ids: string[], now: number, set: Partial<typeof deliveries.$inferInsert>): Statement {
  return db
    .update(deliveries)
    .set({ ...set, updatedAt: now })
    .where(
      and(
        inArray(deliveries.id, ids),
        or(eq(deliveries.status, "sending"), eq(deliveries.status, "pending")),
      ),
    );
}

function apply(db: Db, d: Row["d"], r: Result, now: number, retryAt: number): Statement {
  const o = r.outcome;
  const dedupKey = r.dedupKey ?? null;
  if (r.skip) return finish(db, [d.id], now, { status: "skipped", lastError: r.skip, dedupKey });
  if (!o) {
    const lastError = "waiting for an earlier event";
    return finish(db, [d.id], now, { status: "pending", nextAttemptAt: retryAt, lastError });
  }
  const attempts = d.attempts + 1;
  const lastStatusCode = o.status;
  if (o.kind === "delivered") {
    const set = {
      status: "delivered" as const,
      attempts,
      lastStatusCode,
      lastError: null,
      deliveredAt: now,
      dedupKey,
    };
    return finish(db, [d.id], now, set);
  }
  if (o.kind === "final" || attempts >= MAX_ATTEMPTS) {
    return finish(db, [d.id], now, {
      status: "failed",
      attempts,
      lastStatusCode,
      lastError: o.error,
      dedupKey,
    });
  }
  const set = {
    status: "pending" as const,
    attempts,
    lastStatusCode,
    lastError: o.error,
    nextAttemptAt: retryAt,
  };
  return finish(db, [d.id], now, set);
}
