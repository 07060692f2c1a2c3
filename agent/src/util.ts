/** Small helpers shared by the agent's modules. */

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/** Keeps the end of long text (where errors usually are), marking the cut. */
export function truncateTail(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = "[truncated]…";
  return marker + text.slice(text.length - (max - marker.length));
}

export function truncateHead(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * `new Date(t).toISOString()`, written in JS. V8 formats dates in C++, and the first time a process
 * does so ~0.8 MB of the node binary's pages become resident for good (bench:agent's file-backed
 * part); the UTC getters cost nothing. The agent stamps every sample and log line, so it uses this.
 * Years outside 0-9999 (and invalid dates, which throw) go to V8's own.
 */
export function isoTime(t: number | Date = Date.now()): string {
  const d = typeof t === "number" ? new Date(t) : t;
  const year = d.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return d.toISOString();
  return `${pad(year, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}Z`;
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;

export const errorMessage = (err: unknown): string => {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
};

/**
 * A signal that aborts when any of the given ones does (AbortSignal.any needs Node 20.3; hosts may
 * be older). Call dispose() when done, or every request leaves a listener on a long-lived signal.
 */
export function linkSignals(signals: (AbortSignal | undefined)[]): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const controller = new AbortController();
  const unlink: (() => void)[] = [];
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    const onAbort = () => controller.abort(s.reason);
    s.addEventListener("abort", onAbort, { once: true });
    unlink.push(() => s.removeEventListener("abort", onAbort));
  }
  const dispose = () => {
    for (const f of unlink) f();
  };
  return { signal: controller.signal, dispose };
}
