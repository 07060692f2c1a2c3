/**
 * Delivery for email, Teams, Discord, Telegram and Opsgenie: one message per group for the first
 * four, one Alert API call per event (in order) for Opsgenie.
 */
import type { channels } from "../../../db/schema";
import type { OutgoingEvent } from "../format";
import type { Result } from "../pagerduty";
import { type SendOutcome, send } from "../send";
import { discordBody } from "./discord";
import { emailBody, RESEND_URL } from "./email";
import { OPSGENIE_URL, opsgenieCall } from "./opsgenie";
import { teamsBody } from "./teams";
import { telegramBody, telegramUrl } from "./telegram";

type ChannelRow = typeof channels.$inferSelect;
const base = (url: string | null, fallback: string) => (url ?? fallback).replace(/\/+$/, "");

export async function deliverToKind(ch: ChannelRow, events: OutgoingEvent[], now: number): Promise<Result[]> {
  if (ch.kind === "opsgenie") return deliverOpsgenie(ch, events, now);
  const key = ch.secret ?? "";
  let outcome: SendOutcome;
  if (ch.kind === "email") {
    const body = emailBody(ch.settings?.from ?? "", ch.settings?.to ?? [], events);
    outcome = await send(
      `${base(ch.url, RESEND_URL)}/emails`,
      JSON.stringify(body),
      { authorization: `Bearer ${key}`, "idempotency-key": events[0].deliveryId },
      now,
    );
  } else if (ch.kind === "teams")
    outcome = await send(ch.url ?? "", JSON.stringify(teamsBody(events)), {}, now);
  else if (ch.kind === "discord")
    outcome = await send(ch.url ?? "", JSON.stringify(discordBody(events)), {}, now);
  else if (ch.kind === "telegram") {
    const body = telegramBody(ch.settings?.chatId ?? "", events);
    outcome = await send(telegramUrl(ch.url, key), JSON.stringify(body), {}, now);
  } else throw new Error(`no delivery for ${ch.kind} channels`);
  return events.map(() => ({ outcome }));
}

/** Events go out in order; after one that must be retried, the rest wait for it. */
async function deliverOpsgenie(ch: ChannelRow, events: OutgoingEvent[], now: number): Promise<Result[]> {
  const results: Result[] = [];
  let waiting = false;
  for (const e of events) {
    const call = opsgenieCall(e);
    if (!call) results.push({ outcome: null, skip: "Opsgenie has no action for this event" });
    else if (waiting) results.push({ outcome: null });
    else {
      const url = `${base(ch.url, OPSGENIE_URL)}${call.path}`;
      const outcome = await send(
        url,
        JSON.stringify(call.body),
        { authorization: `GenieKey ${ch.secret ?? ""}` },
        now,
      );
      results.push({ outcome, dedupKey: e.issue.id });
      waiting = outcome.kind === "retry";
    }
  }
  return results;
}
