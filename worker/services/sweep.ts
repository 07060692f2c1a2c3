/**
 * The scheduled sweep over every org: delivered commands with no result after 2 minutes time
 * out, pending commands past their expiry expire (their history rows become timed_out).
 * A system job, so it is the one place not scoped by org. The report path does the same for
 * its own host, so a host that reports never waits for the cron.
 */
import { and, eq, inArray, lte } from "drizzle-orm";
import type { Db } from "../db/client";
import { commands, recoveryHistory } from "../db/schema";
import { timeoutEvents } from "./notify/outbox";
import { RESULT_TIMEOUT_MS } from "./recovery";

export async function sweepCommands(db: Db, now: number) {
  const overdue = and(eq(commands.status, "delivered"), lte(commands.deliveredAt, now - RESULT_TIMEOUT_MS));
  const stale = and(eq(commands.status, "pending"), lte(commands.expiresAt, now));
  const closeHistory = (where: ReturnType<typeof and>) =>
    db
      .update(recoveryHistory)
      .set({ status: "timed_out", finishedAt: now })
      .where(
        and(
          eq(recoveryHistory.status, "pending"),
          inArray(recoveryHistory.commandId, db.select({ id: commands.id }).from(commands).where(where)),
        ),
      );
  // History first: its subqueries find the commands before their status changes.
  const [, , timedOut, , , expired] = await db.batch([
    timeoutEvents(db, overdue, now),
    closeHistory(overdue),
    db.update(commands).set({ status: "timed_out", finishedAt: now }).where(overdue),
    timeoutEvents(db, stale, now),
    closeHistory(stale),
    db.update(commands).set({ status: "expired", finishedAt: now }).where(stale),
  ]);
  return { timedOut: timedOut.meta.changes, expired: expired.meta.changes };
}
