import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Poll<T> {
  /** The last good answer; kept while refreshing and after a failed refresh, so nothing flickers. */
  data: T | undefined;
  /** The last failure, cleared by the next success. */
  error: Error | undefined;
  /** True only until the first answer (good or bad) arrives. */
  loading: boolean;
  /** When `data` last arrived (ms since epoch). */
  updatedAt: number | undefined;
  /** Fetch now (after an action), then carry on polling from there. */
  refresh: () => void;
  /** Take a fresher answer obtained elsewhere (e.g. what a POST returned). */
  set: (data: T) => void;
}

interface State<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  updatedAt?: number;
}

/**
 * Calls `load` now and `intervalMs` after each answer (never two at once), pauses while the tab
 * is hidden and catches up as soon as it is visible again.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number): Poll<T> {
  const [state, setState] = useState<State<T>>({ loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const runRef = useRef<() => void>(() => {});

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight: AbortController | null = null;

    const run = async () => {
      clearTimeout(timer);
      if (document.hidden) return; // visibilitychange restarts us
      inFlight?.abort();
      const ctrl = new AbortController();
      inFlight = ctrl;
      try {
        const data = await loadRef.current(ctrl.signal);
        if (stopped || ctrl.signal.aborted) return;
        setState({ data, loading: false, updatedAt: Date.now() });
      } catch (err) {
        if (stopped || ctrl.signal.aborted) return;
        const error = err instanceof Error ? err : new Error(String(err));
        setState((s) => ({ ...s, error, loading: false }));
      } finally {
        if (!stopped && inFlight === ctrl) {
          inFlight = null;
          timer = setTimeout(run, intervalMs);
        }
      }
    };
    const onVisible = () => {
      if (!document.hidden) void run();
    };

    runRef.current = () => void run();
    void run();
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      inFlight?.abort();
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [intervalMs]);

  const refresh = useCallback(() => runRef.current(), []);
  const set = useCallback((data: T) => setState({ data, loading: false, updatedAt: Date.now() }), []);
  return {
    data: state.data,
    error: state.error,
    loading: state.loading,
    updatedAt: state.updatedAt,
    refresh,
    set,
  };
}
