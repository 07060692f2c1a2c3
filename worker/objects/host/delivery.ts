/**
 * Commands on their way to the agent waiting on its host's object: down its command socket
 * (socket.ts) or to its held long-poll (waiters.ts).
 *
 * - The hand-off: whatever queues a command (a manual recover, an approval, a host action, a health
 *   check) hands the rows it has just written to the object with its wake-up (stub.ts wakeHosts).
 *   A waiting agent gets them at once, signed, before any D1 call; the delivery is recorded after
 *   (`pending` → `delivered`, on the claim's own conditions), and the writer's wake-up returns
 *   only then, so a report that follows its answer does not hand them out again.
 * - The claim (push): a socket opening, the re-delivery alarm, a wake-up without rows, or a
 *   hand-off no agent took, claims the host's due commands in D1 first (claimPending) and sends
 *   what that statement moved.
 *
 * Exactly-once holds as before: the agent's journal (agent/src/actions/journal.ts) records each
 * command id before it acts and never runs an id twice, nor sends a second result for it; the
 * edge keeps the first result it gets. A hand-off racing a report that claims the same command
 * sends it at most once more. A command sent whose record in D1 fails stays `pending` and goes
 * out again (the next report, socket or long-poll, or the re-delivery alarm armed at the send);
 * one no agent took stays `pending`, exactly as if it had not been handed.
 */

import { createDb, type Db } from "../../db/client";
import type { Env } from "../../env";
import {
  claimPending,
  dueForAgent,
  markDelivered,
  REDELIVER_AFTER_MS,
} from "../../services/ingest/agent-commands";
import { signCommands } from "../../services/ingest/command-signing";
import { type CommandRow, toWireCommand } from "../../services/recovery/queue";
import type { ContextCache } from "./context";
import type { HotState } from "./hot-state";
import type { SocketTag } from "./socket";
import type { Waiters } from "./waiters";

/**
 * When commands sent down a socket become due for re-delivery (no result by then): the alarm
 * sends them again, as a long-poll held past that time would. Kept in storage, since the object
 * may hibernate meanwhile.
 */
export const REDELIVER_KEY = "redeliver-at";

/** What a writer hands over of a command it has just queued: what the wire form and the checks need. */
export type HandedCommand = Pick<
  CommandRow,
  | "id"
  | "orgId"
  | "hostId"
  | "issueId"
  | "status"
  | "action"
  | "target"
  | "params"
  | "createdAt"
  | "expiresAt"
>;

/** The handed commands a waiting agent of this host may get now: its own, queued for it, unexpired. */
export const deliverable = (handed: HandedCommand[], orgId: string, hostId: string, now: number) =>
  handed.filter(
    (c) => c.orgId === orgId && c.hostId === hostId && c.status === "pending" && c.expiresAt > now,
  );

/** How many ids of commands this object claimed lately it remembers (a hand-off follows its write by milliseconds). */
const REMEMBERED = 256;

export class Delivery {
  /** The D1 records of the hand-offs: a long-poll claims after them, not in the middle of one. */
  recorded: Promise<unknown> = Promise.resolve();
  /** This object's claims in D1 in flight, and the ids they took lately: a hand-off does not send those again. */
  private claiming: Promise<unknown> = Promise.resolve();
  private readonly claimed = new Set<string>();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly cache: () => ContextCache,
    private readonly hot: () => HotState | null,
    private readonly waiters: Waiters,
    private readonly arm: (at: number) => Promise<void>,
  ) {}

  /**
   * A writer changed this host's commands or issues in D1 and handed over the commands it queued
   * (possibly none): they go to a waiting agent at once, and this resolves once their delivery is
   * recorded; handed to no one (or none handed), the waiting agent looks in D1 as before.
   */
  async changed(handed: HandedCommand[]): Promise<void> {
    // a long-poll or socket that claimed them first (after the writer's batch, before this) has them
    await this.claiming;
    handed = handed.filter((c) => !this.claimed.has(c.id));
    const now = Date.now();
    const record = handed.length > 0 && ((await this.toSocket(handed, now)) ?? this.toLongPoll(handed, now));
    if (record) {
      this.recorded = Promise.all([this.recorded, record]);
      return record;
    }
    this.waiters.wake();
    await this.push(true);
  }

  /** The handed commands down the open socket; then their record in D1, or null when no socket took them. */
  private async toSocket(handed: HandedCommand[], now: number): Promise<Promise<void> | null> {
    const sockets = this.ctx.getWebSockets();
    if (sockets.length === 0) return null;
    const { orgId, hostId } = sockets[0].deserializeAttachment() as SocketTag;
    const rows = deliverable(handed, orgId, hostId, now);
    if (rows.length === 0 || !(await this.send(sockets, hostId, rows))) return null;
    // the claim marks the handed commands and anything else due, which goes out now too
    const sent = new Set(rows.map((r) => r.id));
    const record = this.recording(
      this.claim(createDb(this.env.DB), orgId, hostId, now).then(async (claimed) => {
        const rest = claimed.filter((r) => !sent.has(r.id));
        if (rest.length > 0) await this.send(this.ctx.getWebSockets(), hostId, rest);
      }),
    );
    // the alarm sends again what has no result by then, and so what that record fails to mark
    await this.redeliverBy(now + REDELIVER_AFTER_MS);
    return record;
  }

  /** The handed commands to a held long-poll; then their record in D1, or null when none waits for them. */
  private toLongPoll(handed: HandedCommand[], now: number): Promise<void> | null {
    const { orgId, hostId } = handed[0];
    const rows = deliverable(handed, orgId, hostId, now);
    if (rows.length === 0 || !this.waiters.hand(orgId, hostId, rows)) return null;
    // one not marked (D1 failing) stays pending: the agent's next long-poll gets it again
    const ids = rows.map((r) => r.id);
    return this.recording(markDelivered(createDb(this.env.DB), orgId, hostId, ids, now));
  }

  /** A delivery's record in D1: a failure is logged (the command stays due), the kept copy is stale. */
  private recording(record: Promise<unknown>): Promise<void> {
    return record
      .then(() => undefined)
      .catch((err) => console.error(JSON.stringify({ error: "delivery record failed", detail: String(err) })))
      .finally(() => this.cache().stale());
  }

  /**
   * Claims this host's due commands and sends them down its open sockets (none open: nothing).
   * `known`: told that something changed, claim straight away (the claim is the truth); else look
   * at the kept in-flight commands first, so a socket opening costs no D1 call when none is due.
   */
  async push(known = false): Promise<void> {
    const sockets = this.ctx.getWebSockets();
    if (sockets.length === 0) return;
    const { orgId, hostId } = sockets[0].deserializeAttachment() as SocketTag;
    const db = createDb(this.env.DB);
    const now = Date.now();
    if (!known) {
      const { inflight } = await this.cache().context(db, orgId, hostId, now, this.hot());
      if (!inflight.some((c) => dueForAgent(c, now))) return;
    }
    const rows = await this.claim(db, orgId, hostId, now);
    this.cache().stale();
    if (rows.length === 0) return;
    await this.send(sockets, hostId, rows);
    // sent or not, they are delivered in D1 now: the alarm sends what has no result by then
    await this.redeliverBy(now + REDELIVER_AFTER_MS);
  }

  /** claimPending, remembered: what it took is not sent again by a hand-off that arrives after it. */
  async claim(db: Db, orgId: string, hostId: string, now: number): Promise<CommandRow[]> {
    const claim = claimPending(db, orgId, hostId, now);
    this.claiming = Promise.all([this.claiming, claim.catch(() => undefined)]);
    const rows = await claim;
    for (const r of rows) this.claimed.add(r.id);
    for (const id of this.claimed) {
      if (this.claimed.size <= REMEMBERED) break;
      this.claimed.delete(id); // the oldest first
    }
    return rows;
  }

  /** Signs the commands and sends them down the newest open socket; false when none took them. */
  private async send(sockets: WebSocket[], hostId: string, rows: HandedCommand[]): Promise<boolean> {
    const commands = await signCommands(
      this.env.SELFHEAL_COMMAND_SIGNING_KEY,
      hostId,
      rows.map(toWireCommand),
    );
    const message = JSON.stringify({ commands });
    // the newest socket first: an older one may be a connection the agent has already given up on
    for (const ws of [...sockets].reverse()) {
      try {
        ws.send(message);
        return true;
      } catch {
        ws.close(1011, "send failed");
      }
    }
    return false;
  }

  /** The re-delivery alarm no later than `at`. */
  private async redeliverBy(at: number): Promise<void> {
    if ((this.ctx.storage.kv.get<number>(REDELIVER_KEY) ?? Infinity) > at) {
      this.ctx.storage.kv.put(REDELIVER_KEY, at);
      await this.arm(at);
    }
  }
}
