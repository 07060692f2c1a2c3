/**
 * <stateDir>/spool/: samples and command results the edge has not accepted, on disk, so an outage
 * or an agent restart during one loses nothing. Append-only segment files of JSON lines
 * (`{"s": sample}` / `{"r": result}`), each append fsynced; `cursor.json` says how far the edge has
 * accepted (a lost cursor only re-sends, and the edge ignores what it already has). Bounded by
 * bytes: past the cap the oldest segment goes, and what it held becomes a gap (gaps.json) that the
 * next report tells the edge about.
 */
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import type { CommandResult, Gap, Sample } from "../../protocol";
import { writeFileAtomic } from "../state-dir";
import { isoTime } from "../util";
import { gapKey } from "./queue";

export type SpoolEntry = { s: Sample } | { r: CommandResult };
export interface SpoolPosition {
  seg: number;
  offset: number;
}
interface Segment {
  seq: number;
  bytes: number;
  samples: number;
  results: number;
}

/** At most this many gaps are kept; beyond it the oldest two are merged (counts are kept). */
const MAX_GAPS = 20;
const SEGMENT_NAME = /^(\d{12})\.jsonl$/;

export class Spool {
  private readonly segments: Segment[] = [];
  private cursor: SpoolPosition = { seg: 0, offset: 0 };
  private fd?: number;
  private gapList: Gap[] = [];
  readonly segmentBytes: number;

  constructor(
    private readonly dir: string,
    private readonly capBytes: number,
  ) {
    this.segmentBytes = Math.max(4096, Math.min(1024 * 1024, Math.floor(capBytes / 8)));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.load();
  }

  /** Appends and fsyncs (one fsync for the lot). */
  append(entries: SpoolEntry[]): void {
    if (!entries.length) return;
    const text = entries.map((e) => `${JSON.stringify(e)}\n`).join("");
    let seg = this.segments.at(-1);
    if (!seg || this.fd === undefined || seg.bytes >= this.segmentBytes) seg = this.roll();
    writeSync(this.fd as number, text);
    fdatasyncSync(this.fd as number);
    seg.bytes += Buffer.byteLength(text);
    for (const e of entries)
      if ("s" in e) seg.samples++;
      else seg.results++;
    this.enforceCap();
  }

  /** The oldest unaccepted entries, at most `max` of each kind and about `maxBytes`, with where they end. */
  read(max: { samples: number; results: number; bytes: number }): {
    entries: SpoolEntry[];
    end: SpoolPosition;
    all: boolean;
  } {
    const entries: SpoolEntry[] = [];
    let end = { ...this.cursor };
    let samples = 0;
    let results = 0;
    let bytes = 0;
    for (const seg of this.segments) {
      if (seg.seq < this.cursor.seg) continue;
      const from = seg.seq === this.cursor.seg ? this.cursor.offset : 0;
      const buf = readFileSync(this.file(seg.seq)).subarray(from);
      let at = 0;
      while (at < buf.length) {
        const nl = buf.indexOf(10, at);
        if (nl < 0) break; // a torn line at the end of a crashed segment: never complete
        const line = buf.subarray(at, nl).toString("utf8");
        const entry = parse(line);
        if (entry) {
          const isSample = "s" in entry;
          const full =
            (isSample ? samples >= max.samples : results >= max.results) ||
            (bytes + line.length > max.bytes && entries.length > 0);
          if (full) return { entries, end, all: false };
          entries.push(entry);
          if (isSample) samples++;
          else results++;
          bytes += line.length + 1;
        }
        at = nl + 1;
        end = { seg: seg.seq, offset: from + at };
      }
    }
    return { entries, end, all: true };
  }

  /** Forgets everything up to `end` (what the edge accepted); fully read segments are deleted. */
  ackTo(end: SpoolPosition): void {
    if (end.seg < this.cursor.seg || (end.seg === this.cursor.seg && end.offset <= this.cursor.offset))
      return;
    this.cursor = end;
    while (this.segments.length) {
      const first = this.segments[0];
      const consumed = first.seq < end.seg || (first.seq === end.seg && end.offset >= first.bytes);
      if (!consumed) break;
      if (first === this.segments.at(-1)) this.closeActive();
      unlinkSync(this.file(first.seq));
      this.segments.shift();
    }
    this.recount();
    writeFileAtomic(this.cursorFile, JSON.stringify(this.cursor));
  }

  get gaps(): Gap[] {
    return this.gapList.map((g) => ({ ...g }));
  }

  /** Forgets the gaps the edge accepted (gaps added meanwhile stay). */
  ackGaps(sent: Gap[]): void {
    const done = new Set(sent.map(gapKey));
    this.gapList = this.gapList.filter((g) => !done.has(gapKey(g)));
    this.saveGaps();
  }

  addGap(gap: Gap): void {
    this.gapList.push(gap);
    while (this.gapList.length > MAX_GAPS) {
      const [a, b] = this.gapList.splice(0, 2);
      this.gapList.unshift({
        // ISO strings of one format sort as times do
        from: [a.from, b.from].sort()[0],
        to: [a.to, b.to].sort()[1],
        samples: a.samples + b.samples,
        results: (a.results ?? 0) + (b.results ?? 0),
      });
    }
    this.saveGaps();
  }

  /** Unaccepted entries and bytes on disk. */
  get size(): { samples: number; results: number; bytes: number } {
    let samples = 0;
    let results = 0;
    let bytes = 0;
    for (const s of this.segments) {
      samples += s.samples;
      results += s.results;
      bytes += s.bytes - (s.seq === this.cursor.seg ? this.cursor.offset : 0);
    }
    return { samples, results, bytes };
  }

  get empty(): boolean {
    const { samples, results } = this.size;
    return samples === 0 && results === 0;
  }

  close(): void {
    this.closeActive();
  }

  private get cursorFile() {
    return path.join(this.dir, "cursor.json");
  }
  private get gapsFile() {
    return path.join(this.dir, "gaps.json");
  }
  private file(seq: number) {
    return path.join(this.dir, `${String(seq).padStart(12, "0")}.jsonl`);
  }

  private load(): void {
    const seqs = readdirSync(this.dir)
      .map((f) => SEGMENT_NAME.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const cursor = readJson<SpoolPosition>(this.cursorFile);
    for (const seq of seqs)
      if (cursor && seq < cursor.seg)
        unlinkSync(this.file(seq)); // accepted before a crash
      else this.segments.push({ seq, bytes: statSync(this.file(seq)).size, samples: 0, results: 0 });
    this.cursor = cursor ?? { seg: seqs[0] ?? 0, offset: 0 };
    if (this.segments[0] && this.cursor.seg < this.segments[0].seq)
      this.cursor = { seg: this.segments[0].seq, offset: 0 };
    this.gapList = readJson<Gap[]>(this.gapsFile) ?? [];
    this.recount();
    // The last segment is never appended to again: after a crash it may end in a torn line.
  }

  /** Counts the unaccepted entries of each segment (reading them once, at start or after an ack). */
  private recount(): void {
    for (const seg of this.segments) {
      if (seg.seq > this.cursor.seg && (seg.samples || seg.results)) continue;
      const from = seg.seq === this.cursor.seg ? this.cursor.offset : 0;
      const text = readFileSync(this.file(seg.seq), "utf8").slice(from);
      seg.samples = countOf(text, '{"s":');
      seg.results = countOf(text, '{"r":');
    }
  }

  private roll(): Segment {
    this.closeActive();
    const seq = (this.segments.at(-1)?.seq ?? this.cursor.seg) + 1;
    this.fd = openSync(this.file(seq), "a", 0o600);
    syncDir(this.dir); // the new file's name must survive a power loss as well as its lines
    const seg = { seq, bytes: 0, samples: 0, results: 0 };
    this.segments.push(seg);
    return seg;
  }

  private closeActive(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Drops the oldest segments while over the cap, recording what they held as a gap. */
  private enforceCap(): void {
    while (this.size.bytes > this.capBytes && this.segments.length > 1) {
      const seg = this.segments[0];
      const from = seg.seq === this.cursor.seg ? this.cursor.offset : 0;
      const lines = readFileSync(this.file(seg.seq), "utf8").slice(from).split("\n");
      const ts = lines
        .flatMap((l) => {
          const e = parse(l);
          return e && "s" in e ? [e.s.ts] : [];
        })
        .sort();
      unlinkSync(this.file(seg.seq));
      this.segments.shift();
      this.cursor = { seg: this.segments[0].seq, offset: 0 };
      writeFileAtomic(this.cursorFile, JSON.stringify(this.cursor));
      if (ts.length || seg.results)
        this.addGap({
          from: ts[0] ?? isoTime(),
          to: ts.at(-1) ?? isoTime(),
          samples: ts.length,
          results: seg.results,
        });
    }
  }

  private saveGaps(): void {
    if (!this.gapList.length && !existsSync(this.gapsFile)) return;
    writeFileAtomic(this.gapsFile, JSON.stringify(this.gapList));
  }
}

function parse(line: string): SpoolEntry | undefined {
  if (!line) return undefined;
  try {
    const e = JSON.parse(line) as SpoolEntry;
    return e && typeof e === "object" && ("s" in e || "r" in e) ? e : undefined;
  } catch {
    return undefined; // a torn line: the crash came mid-append, before its fsync returned
  }
}

/** Complete lines only: a torn last line (no newline) is never read, so it must not count. */
function countOf(text: string, head: string): number {
  const lines = text.split("\n");
  lines.pop();
  let n = 0;
  for (const line of lines) if (line.startsWith(head)) n++;
  return n;
}

function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } catch {
    // some platforms cannot fsync a directory; the lines themselves are still synced
  } finally {
    closeSync(fd);
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}
