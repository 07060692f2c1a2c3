/**
 * Agents waiting on their host object for commands (the long-poll): each wait ends at its
 * timeout, or at once when something queues a command for the host (HostObject.changed).
 */
export class Waiters {
  private waiting = new Set<() => void>();

  /** Resolves after `ms`, or earlier on wake(). */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiting.add(done);
    });
  }

  wake(): void {
    for (const done of [...this.waiting]) done();
  }

  get size(): number {
    return this.waiting.size;
  }
}
