/** Helpers for the notification tests: a recording stand-in for outbound fetch, and channels. */
import { vi } from "vitest";
import type { z } from "zod";
import type { ChannelSchema, DeliverySchema } from "../../../worker/schemas/channels";
import { json, sql, type Tenant } from "./harness";

export interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string;
  json: any;
}

/**
 * Replaces fetch for URLs under http://receiver.test/ with `answer` (200 by default) and records
 * each request; everything else passes through.
 */
export function recordOutbound(
  answer: (req: Sent, n: number, signal: AbortSignal | null) => Response | Promise<Response> = () =>
    new Response("ok"),
) {
  const sent: Sent[] = [];
  const real = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    if (!req.url.startsWith("http://receiver.test/")) return real(input as RequestInfo, init);
    const body = await req.text();
    const s: Sent = {
      url: req.url,
      headers: Object.fromEntries(req.headers),
      body,
      json: body ? JSON.parse(body) : null,
    };
    sent.push(s);
    return answer(s, sent.length, init?.signal ?? null);
  });
  return { sent, restore: () => spy.mockRestore() };
}

export type ChannelView = z.infer<typeof ChannelSchema>;

export const addChannel = (t: Tenant, body: Record<string, unknown>) =>
  json<ChannelView>(
    "/api/v1/channels",
    { token: t.admin, body: { name: "ch", groupWaitSeconds: 0, minSeverity: "low", ...body } },
    201,
  );

export type Delivery = z.infer<typeof DeliverySchema>;

export const deliveries = async (t: Tenant, query = "") =>
  (await json<{ items: Delivery[] }>(`/api/v1/deliveries${query}`, { token: t.admin })).items;

/** Waits for the work a response left behind (waitUntil) to settle in the database. */
export async function settle(check: () => Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("timed out waiting for deliveries");
}

/** Makes every pending delivery of an org due now (instead of waiting out a backoff). */
export const makeDue = (orgId: string) =>
  sql(
    "UPDATE deliveries SET next_attempt_at = 0 WHERE org_id = ? AND status IN ('pending','sending')",
    orgId,
  );

/**
 * Waits until the delivery work a response left running (waitUntil) is done for this org: every
 * event fanned out and no group claimed mid-send. Tests call it before the cron so the two never race.
 */
export async function idle(orgId: string) {
  await settle(async () => {
    const [row] = await sql(
      `SELECT (SELECT count(*) FROM notifications WHERE org_id = ?1 AND dispatched_at IS NULL)
            + (SELECT count(*) FROM deliveries WHERE org_id = ?1 AND status = 'sending') AS busy`,
      orgId,
    );
    return Number(row.busy) === 0;
  });
}
