/**
 * Commands queued between reports (a manual recover, an approval), handed to the agent's long-poll
 * as soon as they exist. Claiming is one `UPDATE ... WHERE <claimable> RETURNING`, so a command
 * goes out once per claim even when a report and a long-poll race for it: only the rows this
 * statement actually moved are returned.
 *
 * A delivered command with no result after REDELIVER_AFTER_MS is claimable again: the
 * answer that carried it may never have reached the agent (a dropped connection, an edge restart
 * mid-response). The agent's journal makes that safe: an id it has seen never runs twice, and a
 * re-delivered id gets no second result. Re-delivery stops at expiresAt; RESULT_TIMEOUT_MS after
 * the last delivery the command times out as before.
 */
import { and, eq, gt, lte, or, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { commands } from "../db/schema";
import { type CommandRow, toWireCommand } from "./recovery";

/** Under RESULT_TIMEOUT_MS (2 min), over the time a normal action takes. */
export const REDELIVER_AFTER_MS = 30_000;

/** Whether a command, pending or delivered long enough ago without a result, may be handed out now. */
export function redeliverable(
  c: Pick<CommandRow, "status" | "deliveredAt" | "expiresAt">,
  now: number,
): boolean {
  return (
    c.status === "delivered" &&
    c.deliveredAt !== null &&
    c.deliveredAt <= now - REDELIVER_AFTER_MS &&
    c.expiresAt > now
  );
}

/** The same rule as SQL, for the claiming UPDATE (pending ones still unexpired, see claimPending). */
export const claimable = (now: number): SQL =>
  or(
    eq(commands.status, "pending"),
    and(eq(commands.status, "delivered"), lte(commands.deliveredAt, now - REDELIVER_AFTER_MS)),
  ) as SQL;

export async function claimPending(
  db: Db,
  orgId: string,
  hostId: string,
  now: number,
): Promise<CommandRow[]> {
  const rows = await db
    .update(commands)
    .set({ status: "delivered", deliveredAt: now })
    .where(
      and(
        eq(commands.orgId, orgId),
        eq(commands.hostId, hostId),
        claimable(now),
        // an expired one is left for the next report to mark expired (or, delivered, to time out)
        gt(commands.expiresAt, now),
      ),
    )
    .returning();
  return rows.sort((a, b) => a.createdAt - b.createdAt);
}

export const POLL_EVERY_MS = 250;

/**
 * Answers at once when something is pending, else looks again every POLL_EVERY_MS until `waitMs`.
 * Polling D1 from inside the request is fine for one edge and a handful of hosts: each look is
 * one indexed query (commands_host_status_idx) that usually matches nothing. At fleet scale a
 * Durable Object per host would hold the waiting request instead, and the code that queues a
 * command would wake it directly: no polling, and delivery bounded by one hop, not 250 ms.
 */
export async function waitForCommands(
  db: Db,
  orgId: string,
  hostId: string,
  waitMs: number,
  signal?: AbortSignal,
) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const rows = await claimPending(db, orgId, hostId, Date.now());
    if (rows.length || signal?.aborted || Date.now() + POLL_EVERY_MS > deadline)
      return { commands: rows.map(toWireCommand) };
    await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
  }
}
