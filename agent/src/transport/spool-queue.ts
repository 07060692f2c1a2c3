/**
 * The report queue with the offline spool behind it. While the edge answers, samples wait in
 * memory for the next report (no disk write per sample). Once a report fails (or the agent stops
 * with something unsent), what is pending moves to the spool, and every new sample goes there
 * until a report gets through; results always go there, since a finished command's outcome must
 * survive a crash. A batch is the oldest spooled entries first, then memory, so order holds.
 */
import { type CommandResult, LIMITS, type Sample } from "../../protocol";
import { BATCH_BYTES, type Batch, PendingQueue, type ReportQueue } from "./queue";
import { Spool, type SpoolEntry, type SpoolPosition } from "./spool";

export const DEFAULT_SPOOL_BYTES = 64 * 1024 * 1024;

export class SpoolQueue implements ReportQueue {
  readonly spool: Spool;
  private readonly memory = new PendingQueue();
  /** Set while the edge is unreachable (and at start, when an earlier run left a spool). */
  private offline: boolean;
  private readonly ends = new WeakMap<Batch, { end?: SpoolPosition; memory?: Batch }>();

  constructor(
    dir: string,
    capBytes = DEFAULT_SPOOL_BYTES,
    /** A write that failed (a full disk): the entry waits in memory instead, and this is told. */
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.spool = new Spool(dir, capBytes);
    this.offline = !this.spool.empty;
  }

  addSample(sample: Sample): void {
    if (!this.offline || !this.tryAppend([{ s: sample }])) this.memory.addSample(sample);
  }

  addResult(result: CommandResult): void {
    if (!this.tryAppend([{ r: result }])) this.memory.addResult(result);
  }

  take(maxBytes = BATCH_BYTES): Batch {
    const read = this.spool.read({
      samples: LIMITS.samplesPerReport,
      results: LIMITS.resultsPerReport,
      bytes: maxBytes,
    });
    const samples: Sample[] = [];
    const results: CommandResult[] = [];
    for (const e of read.entries)
      if ("s" in e) samples.push(e.s);
      else results.push(e.r);
    const gaps = [...this.spool.gaps, ...this.memory.pendingGaps];
    const batch: Batch = gaps.length ? { samples, results, gaps } : { samples, results };
    const info: { end?: SpoolPosition; memory?: Batch } = { end: read.end };
    // Memory holds only what is newer than the whole spool: add it only once the spool is all in.
    if (read.all) {
      const used = read.entries.reduce((n, e) => n + JSON.stringify(e).length + 1, 0);
      const mem = this.memory.take(Math.max(1, maxBytes - used));
      const memSamples = mem.samples.slice(0, LIMITS.samplesPerReport - samples.length);
      const memResults = mem.results.slice(0, LIMITS.resultsPerReport - results.length);
      samples.push(...memSamples);
      results.push(...memResults);
      info.memory = { samples: memSamples, results: memResults, gaps: mem.gaps };
    }
    this.ends.set(batch, info);
    return batch;
  }

  ack(batch: Batch): void {
    const info = this.ends.get(batch);
    if (!info) return;
    if (info.end) this.spool.ackTo(info.end);
    if (info.memory) this.memory.ack(info.memory);
    if (batch.gaps) this.spool.ackGaps(batch.gaps);
    // Anything acknowledged means the edge is back: new samples can wait in memory again.
    this.offline = false;
  }

  /** Moves what waits in memory to the spool, and sends new samples there until a report gets through. */
  spill(): void {
    const { samples, results } = this.memory.drain();
    const entries: SpoolEntry[] = [...samples.map((s) => ({ s })), ...results.map((r) => ({ r }))];
    if (!this.tryAppend(entries)) {
      // the disk refused: keep it all in memory (bounded), as an agent without a spool would
      for (const s of samples) this.memory.addSample(s);
      for (const r of results) this.memory.addResult(r);
      return;
    }
    const gaps = this.memory.pendingGaps;
    if (gaps.length) {
      this.memory.ack({ samples: [], results: [], gaps });
      for (const g of gaps) this.spool.addGap(g);
    }
    this.offline = true;
  }

  private tryAppend(entries: SpoolEntry[]): boolean {
    try {
      this.spool.append(entries);
      return true;
    } catch (err) {
      this.onError(err);
      return false;
    }
  }

  get size(): { samples: number; results: number } {
    const spooled = this.spool.size;
    const mem = this.memory.size;
    return { samples: spooled.samples + mem.samples, results: spooled.results + mem.results };
  }

  close(): void {
    this.spool.close();
  }
}
