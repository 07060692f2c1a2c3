/**
 * Samples and command results the server has not accepted yet. Bounded: past the cap the oldest
 * go first (recent data matters most after an outage). Sent oldest first, removed only once accepted.
 */
import { type CommandResult, LIMITS, type Sample } from "../../protocol";

export interface Batch {
  samples: Sample[];
  results: CommandResult[];
}

export class PendingQueue {
  private samples: Sample[] = [];
  private results: CommandResult[] = [];
  dropped = { samples: 0, results: 0 };

  constructor(
    private readonly caps: { samples: number; results: number } = {
      samples: LIMITS.samplesPerReport,
      results: LIMITS.resultsPerReport,
    },
  ) {}

  addSample(sample: Sample): void {
    this.samples.push(sample);
    const over = this.samples.length - this.caps.samples;
    if (over > 0) {
      this.samples.splice(0, over);
      this.dropped.samples += over;
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

  /**
   * A snapshot of what to send next, within the protocol's per-report limits and a byte budget
   * under the edge's 1 MB body limit (a long backfill of hosts with many mounts would exceed it).
   */
  take(maxBytes = 768 * 1024): Batch {
    const results = this.results.slice(0, LIMITS.resultsPerReport);
    let budget = maxBytes - results.reduce((n, r) => n + JSON.stringify(r).length + 1, 0);
    const samples: Sample[] = [];
    for (const s of this.samples) {
      if (samples.length >= LIMITS.samplesPerReport) break;
      budget -= JSON.stringify(s).length + 1;
      if (budget < 0 && samples.length > 0) break;
      samples.push(s);
    }
    return { samples, results };
  }

  /** Forgets what the server accepted (items queued meanwhile stay). */
  ack(batch: Batch): void {
    const s = new Set(batch.samples);
    const r = new Set(batch.results);
    this.samples = this.samples.filter((x) => !s.has(x));
    this.results = this.results.filter((x) => !r.has(x));
  }

  get size(): { samples: number; results: number } {
    return { samples: this.samples.length, results: this.results.length };
  }
}
