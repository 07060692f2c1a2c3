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
