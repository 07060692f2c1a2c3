/**
 * Exponential backoff with jitter for retrying the server: 1 s, 2 s, 4 s ... capped (at the
 * report interval), each delay drawn between half and all of its step so agents do not retry in lockstep.
 */
export class Backoff {
  private failures = 0;

  constructor(private readonly opts: { baseMs?: number; capMs: () => number; random?: () => number }) {}

  /** Records a failure and returns how long to wait before the next try. */
  next(): number {
    const base = this.opts.baseMs ?? 1_000;
    const step = Math.min(this.opts.capMs(), base * 2 ** Math.min(this.failures, 30));
    this.failures++;
    const random = this.opts.random ?? Math.random;
    return Math.round(step / 2 + (step / 2) * random());
  }

  reset(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
