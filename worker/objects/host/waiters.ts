/**
 * Agents waiting on their host object for commands (the long-poll): each wait ends at its
 * timeout, at once when something queues a command for the host (HostObject.changed), or with
 * the commands a writer handed over (delivery.ts), which only the first waiter of the host gets.
 */
import type { HandedCommand } from "./delivery";

interface Waiting {
  orgId: string;
  hostId: string;
  done: (handed: HandedCommand[]) => void;
}

export class Waiters {
  private waiting = new Set<Waiting>();

  /** Resolves after `ms` or on wake() with nothing, or with the commands handed to this wait. */
  wait(ms: number, orgId: string, hostId: string): Promise<HandedCommand[]> {
    return new Promise((resolve) => {
      const entry: Waiting = {
        orgId,
        hostId,
        done: (handed) => {
          clearTimeout(timer);
          this.waiting.delete(entry);
          resolve(handed);
        },
      };
      const timer = setTimeout(() => entry.done([]), Math.max(0, ms));
      this.waiting.add(entry);
    });
  }

  wake(): void {
    for (const w of [...this.waiting]) w.done([]);
  }

  /** Hands these commands to the longest-waiting long-poll of their host; false when there is none. */
  hand(orgId: string, hostId: string, commands: HandedCommand[]): boolean {
    for (const w of this.waiting)
      if (w.orgId === orgId && w.hostId === hostId) {
        w.done(commands);
        return true;
      }
    return false;
  }

  get size(): number {
    return this.waiting.size;
  }
}
