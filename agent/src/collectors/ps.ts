/**
 * Per-process CPU time and RSS where there is no /proc (macOS, the BSDs): one `ps` for all the
 * services' pids per report, `ps -o pid=,rss=,time= -p 1,2,3`. The parser is pure, so it is tested
 * on Linux against procps' output and against the BSD format macOS prints.
 */
import { execArgv } from "../services/exec";

export interface ProcFigures {
  /** user + system CPU time so far */
  cpuSeconds: number;
  rssBytes: number;
}

/** What a sampler read, and when: CPU % is the CPU time between two samples over the time between them. */
export interface ProcSample {
  at: number;
  figures: Map<number, ProcFigures>;
}

export type ProcSampler = (pids: number[]) => Promise<ProcSample>;

export const psArgv = (pids: readonly number[]): string[] => [
  "ps",
  "-o",
  "pid=,rss=,time=",
  "-p",
  pids.join(","),
];

/** ps's cumulative CPU time: `[[dd-]hh:]mm:ss[.ss]` (procps prints hh:mm:ss, macOS m:ss.ss). */
export function parseCpuTime(text: string): number | undefined {
  const m = /^(?:(?:(\d+)-)?(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!m) return undefined;
  const [, days = "0", hours = "0", minutes, seconds] = m;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds);
}

/** Lines of `pid rss(KiB) time`; anything else (a header, a warning) is left out. */
export function parsePsFigures(stdout: string): Map<number, ProcFigures> {
  const figures = new Map<number, ProcFigures>();
  for (const line of stdout.split("\n")) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s*$/.exec(line);
    const cpuSeconds = m ? parseCpuTime(m[3]) : undefined;
    if (m && cpuSeconds !== undefined)
      figures.set(Number(m[1]), { cpuSeconds, rssBytes: Number(m[2]) * 1024 });
  }
  return figures;
}

/** `ps` exits 1 when one of the pids is gone; the others are still printed, so its output is read anyway. */
export function psSampler(run = execArgv, now: () => number = Date.now): ProcSampler {
  return async (pids) => {
    if (!pids.length) return { at: now(), figures: new Map() };
    const r = await run(psArgv(pids), { timeoutMs: 5_000 });
    if (r.spawnError) throw r.spawnError;
    return { at: now(), figures: parsePsFigures(r.stdout) };
  };
}
