import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { EventTopic, OrgEvent } from "../../worker/schemas/events";
import { eventsOpen, onEvents } from "./events";

export interface Poll<T> {
  /** The last good answer; kept while refreshing and after a failed refresh, so nothing flickers. */
  data: T | undefined;
  /** The last failure, cleared by the next success. */
  error: Error | undefined;
  /** True only until the first answer (good or bad) arrives, and again after the loader changed. */
  loading: boolean;
  /** When `data` last arrived (ms since epoch). */
  updatedAt: number | undefined;
  /** Fetch now (after an action), then carry on polling from there. */
  refresh: () => void;
  /** Take a fresher answer obtained elsewhere (e.g. what a POST returned). */
  set: (data: T) => void;
}

export interface PollOptions {
  /**
   * The data changes only when the edge says so (issues, commands, history, KPIs): while the
   * events channel is open, poll only every FALLBACK_MS. Leave false for what moves with every
   * report (host metrics).
   */
  pushed?: boolean;
  /** Reload when the org's events channel says something changed (default true). */
  live?: boolean;
  /** Reload only on changes to these (default: any change); a reopened channel reloads everything. */
  topics?: EventTopic[];
}

/** How often pushed data is polled while the events channel is open (a missed message heals by then). */
export const FALLBACK_MS = 60_000;

interface State<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  updatedAt?: number;
}

/**
 * Calls `load` now, at once again whenever `load` changes (a new filter), whenever the org's
 * events channel reports a change, and `intervalMs` after each answer (never two at once);
 * pauses while the tab is hidden and catches up as soon as it is visible again.
 */
export function usePoll<T>(
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
  { pushed = false, live = true, topics }: PollOptions = {},
): Poll<T> {
  const [state, setState] = useState<State<T>>({ loading: true });
  const runRef = useRef<() => void>(() => {});
  const lastLoad = useRef(load);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight: AbortController | null = null;
    // a new loader asks something else (another filter): its old answer is not this one's
    if (lastLoad.current !== load) {
      lastLoad.current = load;
      setState({ loading: true });
    }

    const every = () => (pushed && eventsOpen() ? Math.max(intervalMs, FALLBACK_MS) : intervalMs);
    const run = async () => {
      clearTimeout(timer);
      if (document.hidden) return; // visibilitychange restarts us
      inFlight?.abort();
      const ctrl = new AbortController();
      inFlight = ctrl;
      try {
        const data = await load(ctrl.signal);
        if (stopped || ctrl.signal.aborted) return;
        setState({ data, loading: false, updatedAt: Date.now() });
      } catch (err) {
        if (stopped || ctrl.signal.aborted) return;
        const error = err instanceof Error ? err : new Error(String(err));
        setState((s) => ({ ...s, error, loading: false }));
      } finally {
        if (!stopped && inFlight === ctrl) {
          inFlight = null;
          timer = setTimeout(run, every());
        }
      }
    };
    const onVisible = () => {
      if (!document.hidden) void run();
    };

    runRef.current = () => void run();
    void run();
    document.addEventListener("visibilitychange", onVisible);
    const wanted = topics?.join(",");
    const concerns = (events: OrgEvent[]) =>
      !wanted ||
      events.length === 0 ||
      events.some((e) => e.topics.some((t) => wanted.split(",").includes(t)));
    const unsubscribe = live ? onEvents((events) => concerns(events) && void run()) : () => {};
    return () => {
      stopped = true;
      clearTimeout(timer);
      inFlight?.abort();
      unsubscribe();
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [load, intervalMs, pushed, live, topics?.join(",")]);

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

/** Issues, commands, history and the KPIs over them: moved only by what the events channel reports. */
export const ISSUE_DATA: PollOptions = { pushed: true, topics: ["issues", "commands"] };
