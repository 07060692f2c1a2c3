/**
 * Commands queued between reports (a manual recover, an approval), handed by the host's object to
 * the agent's command socket or long-poll as soon as they exist. Claiming is one
 * `UPDATE ... WHERE <claimable> RETURNING`, so a command goes out once per claim even when a
 * report and a long-poll race for it: only the rows this statement actually moved are returned.
 *
 * A delivered command with no result after REDELIVER_AFTER_MS is claimable again: the
 * answer that carried it may never have reached the agent (a dropped connection, an edge restart
 * mid-response). The agent's journal makes that safe: an id it has seen never runs twice, and a
 * re-delivered id gets no second result. Re-delivery stops at expiresAt; RESULT_TIMEOUT_MS after
 * the last delivery the command times out as before.
 */
import { and, eq, gt, inArray, lte, or, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { commands } from "../../db/schema";
import type { CommandRow } from "../recovery/queue";

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

/** Whether the agent should get a command now: pending and unexpired, or due for re-delivery. */
export const dueForAgent = (
  c: Pick<CommandRow, "status" | "deliveredAt" | "expiresAt">,
  now: number,
): boolean => (c.status === "pending" && c.expiresAt > now) || redeliverable(c, now);

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

/**
 * Records commands already handed to a waiting agent as delivered, on the claim's own conditions:
 * only those still claimable move (a report or another long-poll may have claimed some since they
 * were queued, and keeps its delivery time). Returns the ids it moved.
 */
export async function markDelivered(
  db: Db,
  orgId: string,
  hostId: string,
  ids: string[],
  now: number,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .update(commands)
    .set({ status: "delivered", deliveredAt: now })
    .where(
      and(
        inArray(commands.id, ids),
        eq(commands.orgId, orgId),
        eq(commands.hostId, hostId),
        claimable(now),
        gt(commands.expiresAt, now),
      ),
    )
    .returning({ id: commands.id });
  return rows.map((r) => r.id);
}
