/**
 * The scheduled sweep over every org: delivered commands with no result after 2 minutes time
 * out, pending commands past their expiry expire (their history rows become timed_out).
 * A system job, so it is the one place not scoped by org. The report path does the same for
 * its own host, so a host that reports never waits for the cron.
 */
import { and, eq, gt, inArray, lte } from "drizzle-orm";
import type { Db } from "../../db/client";
import { commands, recoveryHistory } from "../../db/schema";
import { REDELIVER_AFTER_MS } from "../ingest/agent-commands";
import { timeoutEvents } from "../notify/outbox";
import { RESULT_TIMEOUT_MS } from "./queue";

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
  // Delivered long enough ago with no result: the agent's next long-poll gets it again
  // (services/ingest/agent-commands.ts), once its host's object is told (the caller wakes `hosts`).
  const redeliver = and(
    eq(commands.status, "delivered"),
    lte(commands.deliveredAt, now - REDELIVER_AFTER_MS),
    gt(commands.deliveredAt, now - RESULT_TIMEOUT_MS),
    gt(commands.expiresAt, now),
  );
  const hostOf = { hostId: commands.hostId };
  const [, , timedOut, , , expired, due] = await db.batch([
    timeoutEvents(db, overdue, now),
    closeHistory(overdue),
    db.update(commands).set({ status: "timed_out", finishedAt: now }).where(overdue).returning(hostOf),
    timeoutEvents(db, stale, now),
    closeHistory(stale),
    db.update(commands).set({ status: "expired", finishedAt: now }).where(stale).returning(hostOf),
    db.select(hostOf).from(commands).where(redeliver),
  ]);
  const hosts = new Set([...timedOut, ...expired, ...due].map((r) => r.hostId));
  return { timedOut: timedOut.length, expired: expired.length, redeliver: due.length, hosts };
}
