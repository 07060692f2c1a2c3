/**
 * What one host may cost the engine: a cap on the distinct metric names it keeps, and a cap on
 * the bytes of its state. Both are pure (time comes in as `now`) and deterministic, so the Worker
 * and the agent agree on what was refused and what was pruned.
 */
import { jsonBytesAtMost, jsonBytesAtMostWithout, keyBound } from "./json-bound";
import type { HostEngineState, Metrics, RuleTrack, SeriesState } from "./types";

/**
 * Distinct metric names a host may report. The real agent's largest host sends about 250 (cpu,
 * memory, swap, loads, network, 40 mounts, cpu + rss of 100 services); past this cap a report is
 * inventing names (one per container, per request id...), and every name read by a trend rule
 * costs state and CPU on every later report.
 */
export const MAX_METRIC_NAMES = 300;
/** A name not reported for this long is forgotten, so churning containers free their slots. */
export const METRIC_NAME_TTL_MS = 24 * 3_600_000;
/**
 * Bytes of a host's engine state (JSON). Each trend window is ~1.5 KB, so this holds ~80 trended
 * metrics with their tracks; beyond it the least recently seen are pruned. It is parsed, cloned
 * and written back on every report: its size is that report's fixed cost.
 */
export const MAX_STATE_BYTES = 128 * 1024;

const HOUR = 3_600_000;

/**
 * What a detector's snapshot may take in the state's JSON: the detector keeps its state under
 * 4 KB of JSON (anomaly/), so the size bound counts each snapshot as that instead of walking it
 * (two snapshots were most of the walk), plus its key and comma.
 */
export const SNAPSHOT_MAX_BYTES = 4096;
const SNAPSHOT_ENTRY_BYTES = SNAPSHOT_MAX_BYTES + '"anomaly":,'.length;

/**
 * An upper bound of the state's JSON length: the walk over all but the detectors' snapshots. The
 * state is walked in place, the series emptied and then each series without its snapshot: no copy
 * of the state to leave the snapshots out (every report bounds its state).
 */
export function stateBytesAtMost(state: HostEngineState, limit: number): number {
  const { series } = state;
  if (!series) return jsonBytesAtMost(state, limit);
  let total = jsonBytesAtMost({ ...state, series: {} }, limit);
  for (const key in series) {
    if (!Object.hasOwn(series, key)) continue;
    const entry: SeriesState | null = series[key];
    total += keyBound(key);
    if (typeof entry !== "object" || entry === null) total = jsonBytesAtMost(entry, limit - total) + total;
    else {
      if (entry.anomaly !== undefined) total += SNAPSHOT_ENTRY_BYTES;
      total += jsonBytesAtMostWithout(entry, "anomaly", limit - total);
    }
    if (total > limit) return total;
  }
  return total;
}
/** Last-seen times are kept by the hour: a steady host's registry changes once an hour, not every report. */
const hourOf = (ms: number) => Math.floor(ms / HOUR);

export interface Admitted {
  /** The registry to keep: name → hour it was last reported (epoch hours). */
  names: Record<string, number>;
  /** Names refused because the host is at its cap, sorted. */
  refused: string[];
}

/**
 * Admits the metric names of these samples into the host's registry, oldest known names first,
 * and refuses new ones past MAX_METRIC_NAMES. Deletes refused names from `samples` in place.
 */
export function admitMetricNames(
  known: Record<string, number> | undefined,
  samples: Metrics[],
  now: number,
): Admitted {
  const hour = hourOf(now);
  const ttl = hourOf(METRIC_NAME_TTL_MS);
  const names: Record<string, number> = {};
  for (const [name, seen] of Object.entries(known ?? {})) if (hour - seen < ttl) names[name] = seen;
  let count = Object.keys(names).length;
  const refused = new Set<string>();
  for (const metrics of samples)
    for (const name of Object.keys(metrics)) {
      if (name in names) names[name] = hour;
      else if (!refused.has(name) && count < MAX_METRIC_NAMES) {
        names[name] = hour;
        count++;
      } else {
        refused.add(name);
        delete metrics[name];
      }
    }
  return { names, refused: [...refused].sort() };
}

/** When a track last moved (epoch ms): its newest evidence, opening or quiet time. */
function trackSeen(t: RuleTrack): number {
  return Math.max(
    t.since ?? 0,
    t.openedAt ?? 0,
    t.quietSince ?? 0,
    t.window?.at(-1)?.[0] ?? 0,
    t.opens?.at(-1) ?? 0,
  );
}

const seriesSeen = (s: SeriesState): number => s.at ?? s.trend?.pts.at(-1)?.[0] ?? 0;

/**
 * Keeps the state under `maxBytes` by dropping whole series and tracks, least recently seen
 * first (ties by key), and tracks with an open issue only once nothing else is left: losing one
 * of those would let the issue open again as new.
 */
export function pruneState(state: HostEngineState, maxBytes = MAX_STATE_BYTES): HostEngineState {
  // Nearly every report is far under budget: a bound proves it without formatting every number.
  if (stateBytesAtMost(state, maxBytes) <= maxBytes) return state;
  let size = JSON.stringify(state).length;
  if (size <= maxBytes) return state;
  const series = { ...(state.series ?? {}) };
  const tracks = { ...state.tracks };
  type Entry = { kind: "series" | "track"; key: string; seen: number; active: boolean; bytes: number };
  const entries: Entry[] = [
    ...Object.entries(series).map(([key, s]) => ({
      kind: "series" as const,
      key,
      seen: seriesSeen(s),
      active: false,
      bytes: JSON.stringify(key).length + JSON.stringify(s).length + 2,
    })),
    ...Object.entries(tracks).map(([key, t]) => ({
      kind: "track" as const,
      key,
      seen: trackSeen(t),
      active: t.active,
      bytes: JSON.stringify(key).length + JSON.stringify(t).length + 2,
    })),
  ];
  entries.sort(
    (a, b) =>
      Number(a.active) - Number(b.active) ||
      a.seen - b.seen ||
      (a.kind === b.kind ? 0 : a.kind === "series" ? -1 : 1) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  for (const e of entries) {
    if (size <= maxBytes) break;
    if (e.kind === "series") delete series[e.key];
    else delete tracks[e.key];
    size -= e.bytes;
  }
  return { ...state, tracks, series };
}

/** Whether a point is after `latest`: every report asks it of every trend, so a loop without a destructuring call per point. */
function anyAfter(pts: [number, number][], latest: number): boolean {
  for (let i = 0; i < pts.length; i++) if (pts[i][0] > latest) return true;
  return false;
}

/**
 * Drops the series and tracks that hold a time after `latest` (a sample from the future accepted
 * before the edge checked times): such a trend never ages out of its window and such a streak
 * never ends. An issue whose track goes is resolved by the report and opens again, with its
 * duration, if the condition still holds.
 */
export function forgetFuture(state: HostEngineState, latest: number): HostEngineState {
  const future = (s: SeriesState) =>
    seriesSeen(s) > latest || (s.trend !== undefined && anyAfter(s.trend.pts, latest));
  const series = Object.entries(state.series ?? {});
  const tracks = Object.entries(state.tracks);
  if (!series.some(([, s]) => future(s)) && !tracks.some(([, t]) => trackSeen(t) > latest)) return state;
  return {
    ...state,
    series: Object.fromEntries(series.filter(([, s]) => !future(s))),
    tracks: Object.fromEntries(tracks.filter(([, t]) => trackSeen(t) <= latest)),
  };
}
