/**
 * Notification delivery, run after a response (waitUntil) and from the cron: fan the outbox out
 * to channels, send what is due, and (only on the request path) wait briefly for a group whose
 * short group wait ends soon, so a storm still goes out promptly as one message.
 */
import { createDb, type Db } from "../../db/client";
import type { Env } from "../../env";
import { fanOut } from "./fanout";
import { flushDue, nextDueAt } from "./flush";
import { queueReminders } from "./reminders";

const PROMPT_HORIZON_MS = 15_000;

/** `remind`: the cron's run also queues the channels' repeat reminders that are due. */
export async function deliverNotifications(
  env: Env,
  opts: { linger?: boolean; remind?: boolean; db?: Db } = {},
) {
  const db = opts.db ?? createDb(env.DB);
  try {
    await fanOut(db, Date.now());
    if (opts.remind) await queueReminders(db, Date.now());
    let sent = await flushDue(db, env, Date.now());
    if (opts.linger) {
      const at = await nextDueAt(db, Date.now(), PROMPT_HORIZON_MS);
      if (at !== null) {
        await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now()) + 50));
        sent += await flushDue(db, env, Date.now());
      }
    }
    return sent;
  } catch (err) {
    // Delivery is retried by the next cron run; a failure here must never fail the caller.
    console.error(JSON.stringify({ error: "notification delivery failed", detail: String(err) }));
    return 0;
  }
}
