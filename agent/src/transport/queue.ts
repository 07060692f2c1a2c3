/**
 * Samples and command results the server has not accepted yet. Bounded: past the cap the oldest
 * go first (recent data matters most after an outage), and what went is kept as a gap to report.
 * Sent oldest first, removed only once accepted. The durable variant is spool-queue.ts.
 */
import { type CommandResult, type Gap, LIMITS, type Sample } from "../../protocol";

export interface Batch {
  samples: Sample[];
  results: CommandResult[];
  /** Samples dropped at a cap, for the edge to record; absent when none. */
  gaps?: Gap[];
}

/** What the uplink needs from a queue, in memory or on disk. */
export interface ReportQueue {
  addSample(sample: Sample): void;
  addResult(result: CommandResult): void;
  take(maxBytes?: number): Batch;
  ack(batch: Batch): void;
  /** The edge did not answer: keep what is pending safe until it does (the durable queue writes it out). */
  spill?(): void;
  readonly size: { samples: number; results: number };
}

/** A byte budget under the edge's body limit (a long backfill of hosts with many mounts would exceed it). */
export const BATCH_BYTES = Math.floor(LIMITS.reportBytes * 0.75);

/** What an agent without a spool holds in memory through an outage (sent a report's worth at a time). */
export const MEMORY_QUEUE = { samples: 2000, results: 200 } as const;

export class PendingQueue implements ReportQueue {
  private samples: Sample[] = [];
  private results: CommandResult[] = [];
  private gaps: Gap[] = [];
  dropped = { samples: 0, results: 0 };

  constructor(private readonly caps: { samples: number; results: number } = MEMORY_QUEUE) {}

  addSample(sample: Sample): void {
    this.samples.push(sample);
    const over = this.samples.length - this.caps.samples;
    if (over > 0) {
      const gone = this.samples.splice(0, over);
      this.dropped.samples += over;
      this.noteGap(gone[0].ts, gone[gone.length - 1].ts, over);
    }
  }

  addResult(result: CommandResult): void {
    this.results.push(result);
    const over = this.results.length - this.caps.results;
    if (over > 0) {
      this.results.splice(0, over);
      this.dropped.results += over;
    }
  }

  /** A snapshot of what to send next, within the protocol's per-report limits and a byte budget. */
  take(maxBytes = BATCH_BYTES): Batch {
    let budget = maxBytes;
    const results: CommandResult[] = [];
    for (const r of this.results) {
      if (results.length >= LIMITS.resultsPerReport) break;
      budget -= JSON.stringify(r).length + 1;
      if (budget < 0 && results.length > 0) break;
      results.push(r);
    }
    const samples: Sample[] = [];
    for (const s of this.samples) {
      if (samples.length >= LIMITS.samplesPerReport) break;
      budget -= JSON.stringify(s).length + 1;
      if (budget < 0 && samples.length > 0) break;
      samples.push(s);
    }
    return this.gaps.length
      ? { samples, results, gaps: this.gaps.map((g) => ({ ...g })) }
      : { samples, results };
  }

  /** Forgets what the server accepted (items queued meanwhile stay). */
  ack(batch: Batch): void {
    const s = new Set(batch.samples);
    const r = new Set(batch.results);
    // by value: a gap may have grown since it was taken, and then it is sent again, grown
    const g = new Set(batch.gaps?.map(gapKey));
    this.samples = this.samples.filter((x) => !s.has(x));
    this.results = this.results.filter((x) => !r.has(x));
    this.gaps = this.gaps.filter((x) => !g.has(gapKey(x)));
  }

  /** Everything pending, oldest first, emptying the queue (the durable queue moves it to disk). */
  drain(): { samples: Sample[]; results: CommandResult[] } {
    const out = { samples: this.samples, results: this.results };
    this.samples = [];
    this.results = [];
    return out;
  }

  get size(): { samples: number; results: number } {
    return { samples: this.samples.length, results: this.results.length };
  }

  /** Copies of the gaps not yet accepted (ack them with a batch carrying them). */
  get pendingGaps(): Gap[] {
    return this.gaps.map((g) => ({ ...g }));
  }

  /** Consecutive drops extend one gap, so a long outage is one gap, not thousands. */
  private noteGap(from: string, to: string, samples: number): void {
    const last = this.gaps.at(-1);
    if (last) Object.assign(last, { to, samples: last.samples + samples });
    else this.gaps.push({ from, to, samples });
    if (this.gaps.length > LIMITS.gapsPerReport) this.gaps.splice(0, 1);
  }
}

export const gapKey = (g: Gap) => `${g.from}|${g.to}|${g.samples}|${g.results ?? 0}`;
