import { useEffect, useRef, useState } from "preact/hooks";
import { getSamples } from "../api";

/** The chart columns: seconds since epoch (uPlot's x unit) and one array per metric. */
export interface SeriesData {
  ts: number[];
  cols: Record<string, (number | null)[]>;
}

export const CHART_METRICS = ["cpu", "memory", "disk", "net.rx", "net.tx"] as const;

const PAGE = 5000;
/** 7 days at a 30 s interval is ~20 000 samples: at most this many pages for the first load. */
const MAX_PAGES = 6;

export interface Samples {
  data: SeriesData;
  /** Bumped on every change, so charts know to call setData. */
  version: number;
  loading: boolean;
  error: Error | undefined;
  /** True when the range held more samples than the first load fetches (the oldest are left out). */
  truncated: boolean;
}

const empty = (): SeriesData => ({ ts: [], cols: Object.fromEntries(CHART_METRICS.map((m) => [m, []])) });

/**
 * A host's samples over the last `rangeMs`, loaded page by page, then topped up every `everyMs`
 * with only the samples newer than the last one held, and trimmed at the old end. The arrays are
 * mutated in place and `version` bumped, so a chart can append without redrawing from scratch.
 */
export function useSamples(hostId: string, rangeMs: number, everyMs: number): Samples {
  const data = useRef<SeriesData>(empty());
  const [state, setState] = useState({ version: 0, loading: true, error: undefined as Error | undefined });
  const [truncated, setTruncated] = useState(false);
  // A new interval only paces the next top-up; it must not throw away what is loaded.
  const every = useRef(everyMs);
  every.current = everyMs;

  useEffect(() => {
    data.current = empty();
    setState((s) => ({ version: s.version + 1, loading: true, error: undefined }));
    setTruncated(false);
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ctrl = new AbortController();

    const append = (items: { ts: string; metrics: Record<string, number> }[]) => {
      const d = data.current;
      let last = d.ts.at(-1) ?? Number.NEGATIVE_INFINITY;
      for (const s of items) {
        const t = Date.parse(s.ts) / 1000;
        if (!(t > last)) continue; // overlapping pages or a clock step back: keep x increasing
        last = t;
        d.ts.push(t);
        for (const m of CHART_METRICS) {
          const v = s.metrics[m];
          d.cols[m].push(typeof v === "number" && Number.isFinite(v) ? v : null);
        }
      }
      const cutoff = (Date.now() - rangeMs) / 1000;
      let drop = 0;
      while (drop < d.ts.length && d.ts[drop] < cutoff) drop++;
      if (drop > 0) {
        d.ts.splice(0, drop);
        for (const m of CHART_METRICS) d.cols[m].splice(0, drop);
      }
    };

    const fetchFrom = async (fromMs: number, pages: number) => {
      let from = fromMs;
      let added = 0;
      for (let page = 0; page < pages; page++) {
        const { items } = await getSamples(hostId, PAGE, ctrl.signal, { from: new Date(from).toISOString() });
        append(items);
        added += items.length;
        if (items.length < PAGE) return { added, more: false };
        from = Date.parse(items[items.length - 1].ts) + 1;
      }
      return { added, more: true };
    };

    const tick = async (first: boolean) => {
      if (stopped) return;
      if (!first && document.hidden) {
        timer = setTimeout(() => void tick(false), every.current);
        return;
      }
      try {
        const lastTs = data.current.ts.at(-1);
        const from = lastTs === undefined ? Date.now() - rangeMs : lastTs * 1000 + 1;
        const { added, more } = await fetchFrom(from, first ? MAX_PAGES : 2);
        if (stopped) return;
        if (first && more) setTruncated(true);
        if (added > 0 || first)
          setState((s) => ({ version: s.version + 1, loading: false, error: undefined }));
        else setState((s) => (s.error ? { ...s, error: undefined } : s));
      } catch (err) {
        if (stopped) return;
        const error = err instanceof Error ? err : new Error(String(err));
        setState((s) => ({ ...s, loading: false, error }));
      }
      if (!stopped) timer = setTimeout(() => void tick(false), every.current);
    };
    void tick(true);
    return () => {
      stopped = true;
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [hostId, rangeMs]);

  return {
    data: data.current,
    version: state.version,
    loading: state.loading,
    error: state.error,
    truncated,
  };
}
