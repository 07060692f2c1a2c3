import { type Bracket, medianInPlace, medianSlope } from "./median-slope";

/**
 * Robust trends over a bounded window: points are bucketed so a window never holds more than
 * `maxPoints`, and the slope is Theil–Sen (median of pairwise slopes), which a few outliers
 * cannot drag the way least squares would.
 */

export interface TrendWindow {
  /** [ts ms, value] bucket means, oldest first */
  pts: [number, number][];
  /** samples merged into the newest bucket */
  n: number;
}

/**
 * Per window's points, where their last fit found the median slope; null once fitted without one.
 * A hint, never a result: a fit from any bracket, or none, is the same to the last bit.
 */
const brackets = new WeakMap<object, Bracket | null>();

export const emptyTrend = (): TrendWindow => ({ pts: [], n: 0 });

export function pushTrend(
  w: TrendWindow,
  ts: number,
  value: number,
  windowMs: number,
  maxPoints = 60,
): TrendWindow {
  const bucketMs = Math.max(1, windowMs / maxPoints);
  // a loop, not filter with a destructuring callback: every trended metric, every sample
  const since = ts - windowMs;
  const pts: [number, number][] = [];
  for (const pt of w.pts) if (pt[0] > since) pts.push(pt);
  const last = pts.at(-1);
  let n = w.n;
  if (last && Math.floor(last[0] / bucketMs) === Math.floor(ts / bucketMs)) {
    n += 1;
    pts[pts.length - 1] = [ts, last[1] + (value - last[1]) / n];
  } else {
    pts.push([ts, value]);
    n = 1;
  }
  const kept = pts.length > maxPoints ? pts.slice(-maxPoints) : pts;
  // The window's successor fits from where the window's median slope was (median-slope.ts).
  const bracket = brackets.get(w.pts);
  if (bracket !== undefined) brackets.set(kept, bracket);
  return { pts: kept, n };
}

export interface TrendFit {
  /** value units per hour */
  slopePerHour: number;
  /** the fitted value at the newest point */
  current: number;
  /** the median value over the window */
  level: number;
  spanMs: number;
  points: number;
}

/**
 * The last fit of each window's points. Several rules often read one metric's trend (the built-in
 * disk forecast and a custom one), and a window is replaced, never changed, when a sample arrives;
 * the length and newest point are checked all the same, so a window edited in place is refitted.
 */
const fits = new WeakMap<
  object,
  { minPoints: number; length: number; newest: unknown; fit: TrendFit | null }
>();

/** Theil–Sen fit; null with fewer than `minPoints` points. */
export function fitTrend(w: TrendWindow, minPoints = 6): TrendFit | null {
  const known = fits.get(w.pts);
  if (
    known &&
    known.minPoints === minPoints &&
    known.length === w.pts.length &&
    known.newest === w.pts.at(-1)
  )
    return known.fit && { ...known.fit };
  const fit = fitPoints(w.pts, minPoints);
  fits.set(w.pts, { minPoints, length: w.pts.length, newest: w.pts.at(-1), fit });
  return fit && { ...fit };
}

/** Scratch for the intercept's and the level's medians, reused. */
let column = new Float64Array(60);

function fitPoints(pts: [number, number][], minPoints: number): TrendFit | null {
  if (pts.length < minPoints) return null;
  const known = brackets.get(pts);
  // A window fitted before (its predecessor was) learns a bracket; one seen first does not.
  const found = medianSlope(pts, known ?? undefined, known !== undefined);
  if (!found) return null;
  const { slope } = found;
  brackets.set(pts, found.bracket ?? null);
  if (column.length < pts.length) column = new Float64Array(pts.length);
  for (let i = 0; i < pts.length; i++) column[i] = pts[i][1] - slope * pts[i][0];
  const intercept = medianInPlace(column, pts.length);
  for (let i = 0; i < pts.length; i++) column[i] = pts[i][1];
  const level = medianInPlace(column, pts.length);
  const newest = pts[pts.length - 1][0];
  return {
    slopePerHour: slope * 3_600_000,
    current: intercept + slope * newest,
    level,
    spanMs: newest - pts[0][0],
    points: pts.length,
  };
}

/** Milliseconds until the fitted line reaches `limit`, or null when it is not heading there. */
export function timeToLimit(fit: TrendFit, limit: number): number | null {
  if (fit.slopePerHour <= 0) return null;
  if (fit.current >= limit) return 0;
  return ((limit - fit.current) / fit.slopePerHour) * 3_600_000;
}

/**
 * The seed's growth_rate, in % per hour: percentage points for metrics that are already percents,
 * else percent of the window's level (so RSS growing 50 MB/h on 500 MB is 10 %/h).
 */
export function growthPercentPerHour(fit: TrendFit, isPercentMetric: boolean): number {
  if (isPercentMetric) return fit.slopePerHour;
  return fit.level > 0 ? (fit.slopePerHour / fit.level) * 100 : 0;
}
