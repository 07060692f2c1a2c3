/**
 * What a followed log is matched against: the configured patterns (one count per matching line)
 * and the built-in signatures of common failures. Stack traces count traces, not lines: a
 * Python "Traceback (most recent call last)" line, or the first "    at ..." frame after a line
 * that was not a frame (Java, Node, .NET).
 */

export const BUILTIN_SIGNATURES: Record<string, RegExp> = {
  // the kernel's and a memory cgroup's "Out of memory: Killed process 1234 (java)", systemd's
  // "killed by the OOM killer"; not "invoked oom-killer" or "oom-kill:constraint=", which the
  // kernel prints for the same kill
  oom: /out of memory: kill(ed)? process|killed by the oom killer/i,
  segfault: /segfault at|segmentation fault/i,
  too_many_files: /too many open files/i,
};

const FRAME = /^\s+at\s/;
const PY_TRACE = /Traceback \(most recent call last\)/;

export class LineCounter {
  private readonly counts: Record<string, number> = {};
  private inFrames = false;
  private readonly patterns: [string, RegExp][];

  constructor(
    patterns: Record<string, string>,
    private readonly builtin: boolean,
  ) {
    this.patterns = Object.entries(patterns).map(([k, re]) => [k, new RegExp(re)]);
    if (builtin) for (const [k, re] of Object.entries(BUILTIN_SIGNATURES)) this.patterns.push([k, re]);
    for (const [k] of this.patterns) this.counts[k] = 0;
    if (builtin) this.counts.stack_traces = 0;
  }

  line(text: string): void {
    for (const [k, re] of this.patterns) if (re.test(text)) this.counts[k] += 1;
    if (!this.builtin) return;
    const frame = FRAME.test(text);
    if (PY_TRACE.test(text) || (frame && !this.inFrames)) this.counts.stack_traces += 1;
    this.inFrames = frame;
  }

  /** The counts since the last take, then zero. */
  take(): Record<string, number> {
    const out = { ...this.counts };
    for (const k of Object.keys(this.counts)) this.counts[k] = 0;
    return out;
  }
}
