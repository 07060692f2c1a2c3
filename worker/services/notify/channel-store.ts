/** Notification channels: CRUD within one org; secrets go in, only masked forms come out. */
import { and, asc, count, desc, eq, gt } from "drizzle-orm";
import type { z } from "zod";
import { type Db, runBatch } from "../../db/client";
import { channels, deliveries } from "../../db/schema";
import type { Env } from "../../env";
import { ApiError, notFound } from "../../lib/errors";
import { randomBase62 } from "../../lib/ids";
import { iso, isoOrNull } from "../../lib/time";
import type { ChannelPatchSchema, deliveriesQuery, NewChannelSchema } from "../../schemas/channels";
import { audit } from "../tenancy/audit";
import { checkPatchFits, SECRET_FIELD, secretOf, settingsOf, URL_IS_SECRET } from "./channel-config";
import { flushDue } from "./flush";

type ChannelRow = typeof channels.$inferSelect;
type NewChannel = z.infer<typeof NewChannelSchema>;
type ChannelPatch = z.infer<typeof ChannelPatchSchema>;

/**
 * Enough to recognise a secret, never enough to use it: its last 4 characters at most, and none
 * of one shorter than 16. A URL keeps its scheme and host, which are not the secret part.
 */
export function mask(secret: string | null): string | null {
  if (!secret) return secret;
  const tail = (s: string) => (s.length < 16 ? "…" : `…${s.slice(-4)}`);
  if (/^https?:\/\//.test(secret)) {
    const url = new URL(secret);
    return `${url.protocol}//${url.host}/${tail(secret.slice(url.origin.length))}`;
  }
  return tail(secret);
}

export function channelView(c: ChannelRow) {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    // A Slack, Teams or Discord URL is itself the credential; webhook URLs and API bases are not.
    url: URL_IS_SECRET.has(c.kind) ? mask(c.url) : c.url,
    secret: mask(c.secret),
    from: c.settings?.from ?? null,
    to: c.settings?.to ?? [],
    chatId: c.settings?.chatId ?? null,
    repeatMinutes: c.repeatMinutes ?? null,
    minSeverity: c.minSeverity,
    hosts: c.hosts ?? [],
    groups: c.groups ?? [],
    rules: c.rules ?? [],
    groupBy: c.groupBy,
    groupWaitSeconds: c.groupWaitSeconds,
    enabled: c.enabled,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

export async function createChannel(db: Db, orgId: string, input: NewChannel) {
  const now = Date.now();
  const row: ChannelRow = {
    id: `chn_${randomBase62(20)}`,
    orgId,
    name: input.name,
    kind: input.kind,
    url: input.url ?? null,
    secret: secretOf(input),
    settings: settingsOf(input.kind, input),
    repeatMinutes: "repeatMinutes" in input ? (input.repeatMinutes ?? null) : null,
    minSeverity: input.minSeverity,
    hosts: input.hosts ?? null,
    groups: input.groups ?? null,
    rules: input.rules ?? null,
    groupBy: input.groupBy,
    groupWaitSeconds: input.groupWaitSeconds,
    enabled: input.enabled,
    createdAt: now,
    updatedAt: now,
  };
  const record = audit(db, orgId, "channel.create", row.id, `${row.kind} channel "${row.name}"`);
  await runBatch(db, [db.insert(channels).values(row), record]);
  return channelView(row);
}

export async function listChannels(db: Db, orgId: string) {
  const rows = await db.select().from(channels).where(eq(channels.orgId, orgId)).orderBy(asc(channels.name));
  return rows.map(channelView);
}

async function channelRow(db: Db, orgId: string, id: string) {
  const [row] = await db
    .select()
    .from(channels)
    .where(and(eq(channels.id, id), eq(channels.orgId, orgId)));
  if (!row) throw notFound("channel");
  return row;
}

export const getChannel = async (db: Db, orgId: string, id: string) =>
  channelView(await channelRow(db, orgId, id));

export async function updateChannel(db: Db, orgId: string, id: string, patch: ChannelPatch) {
  const row = await channelRow(db, orgId, id);
  checkPatchFits(row.kind, patch);
  const { routingKey, secret, apiKey, botToken, chatId, from, to, ...rest } = patch;
  const next: ChannelRow = { ...row, ...rest, updatedAt: Date.now() };
  const field = SECRET_FIELD[row.kind];
  const newSecret = field ? patch[field] : undefined;
  if (newSecret) next.secret = newSecret;
  const settings = settingsOf(row.kind, { chatId, from, to });
  if (settings) next.settings = { ...row.settings, ...settings };
  const changed = Object.keys(patch).join(", ");
  await runBatch(db, [
    db
      .update(channels)
      .set(next)
      .where(and(eq(channels.id, id), eq(channels.orgId, orgId))),
    audit(db, orgId, "channel.update", id, `channel "${row.name}": ${changed || "nothing"} changed`),
  ]);
  return channelView(next);
}

export async function deleteChannel(db: Db, orgId: string, id: string) {
  const row = await channelRow(db, orgId, id);
  await runBatch(db, [
    audit(db, orgId, "channel.delete", id, `${row.kind} channel "${row.name}" deleted`),
    db.delete(channels).where(and(eq(channels.id, id), eq(channels.orgId, orgId))),
    db
      .update(deliveries)
      .set({ status: "skipped", lastError: "channel deleted", updatedAt: Date.now() })
      .where(and(eq(deliveries.channelId, id), eq(deliveries.status, "pending"))),
  ]);
}

type DeliveryRow = typeof deliveries.$inferSelect;
export function deliveryView(d: DeliveryRow) {
  const open = d.status === "pending" || d.status === "sending";
  return {
    id: d.id,
    channelId: d.channelId,
    issueId: d.issueId,
    event: d.event,
    groupKey: d.groupKey,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: open ? iso(d.nextAttemptAt) : null,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: iso(d.createdAt),
    deliveredAt: isoOrNull(d.deliveredAt),
  };
}

export async function listDeliveries(db: Db, orgId: string, q: z.infer<typeof deliveriesQuery>) {
  const rows = await db
    .select()
    .from(deliveries)
    .where(
      and(
        eq(deliveries.orgId, orgId),
        q.channel ? eq(deliveries.channelId, q.channel) : undefined,
        q.status ? eq(deliveries.status, q.status) : undefined,
        q.issue ? eq(deliveries.issueId, q.issue) : undefined,
      ),
    )
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(q.limit);
  return rows.map(deliveryView);
}

const TESTS_PER_MINUTE = 5;

/**
 * Sends a test message now (stored like any delivery, so a failure is retried and logged). A few
 * a minute per channel: enough to fix a setting and try again, too few to spam a room with.
 */
export async function testChannel(db: Db, env: Env, orgId: string, id: string) {
  const row = await channelRow(db, orgId, id);
  const now = Date.now();
  const [recent] = await db
    .select({ n: count() })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.channelId, row.id),
        eq(deliveries.event, "test"),
        gt(deliveries.createdAt, now - 60_000),
      ),
    );
  if (recent.n >= TESTS_PER_MINUTE)
    throw new ApiError("RATE_LIMITED", `at most ${TESTS_PER_MINUTE} test messages a minute per channel`);
  const deliveryId = `dlv_${randomBase62(20)}`;
  const record = audit(
    db,
    orgId,
    "channel.test",
    row.id,
    `test message to ${row.kind} channel "${row.name}"`,
  );
  const insert = db.insert(deliveries).values({
    id: deliveryId,
    orgId,
    channelId: row.id,
    issueId: null,
    event: "test",
    eventKey: `test:${deliveryId}`,
    groupKey: `test:${deliveryId}`,
    status: "pending",
    nextAttemptAt: now,
    origin: null,
    createdAt: now,
    updatedAt: now,
  });
  await runBatch(db, [insert, record]);
  await flushDue(db, env, now, row.id);
  const [d] = await db.select().from(deliveries).where(eq(deliveries.id, deliveryId));
  return deliveryView(d);
}
