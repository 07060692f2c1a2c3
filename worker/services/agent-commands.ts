/**
 * Commands queued between reports (a manual recover, an approval), handed to the agent's long-poll
 * as soon as they exist. Claiming is one `UPDATE ... WHERE status = 'pending' RETURNING`, so a
 * command goes out once even when a report and a long-poll race for it: only the rows this
 * statement actually moved to "delivered" are returned.
 */
import { and, eq, gt } from "drizzle-orm";
import type { Db } from "../db/client";
import { commands } from "../db/schema";
import { type CommandRow, toWireCommand } from "./recovery";

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
        eq(commands.status, "pending"),
        // an expired one is left for the next report to mark expired
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
