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

export const emptyTrend = (): TrendWindow => ({ pts: [], n: 0 });

export function pushTrend(
  w: TrendWindow,
  ts: number,
  value: number,
  windowMs: number,
  maxPoints = 60,
): TrendWindow {
  const bucketMs = Math.max(1, windowMs / maxPoints);
  const pts = w.pts.filter(([t]) => t > ts - windowMs);
  const last = pts.at(-1);
  let n = w.n;
  if (last && Math.floor(last[0] / bucketMs) === Math.floor(ts / bucketMs)) {
    n += 1;
    pts[pts.length - 1] = [ts, last[1] + (value - last[1]) / n];
  } else {
    pts.push([ts, value]);
    n = 1;
  }
  return { pts: pts.slice(-maxPoints), n };
}

/** The k-th smallest value (quickselect, in place): a median in O(n) instead of a sort. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/**
 * The median of `a`, reordering it in place. After selecting the upper middle, everything before
 * it is no larger, so the lower middle is their maximum: one selection instead of two.
 */
function medianInPlace(a: Float64Array): number {
  const mid = a.length >> 1;
  const upper = select(a, mid);
  if (a.length % 2) return upper;
  let lower = a[0];
  for (let i = 1; i < mid; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}

/** Scratch for the pairwise slopes, reused: a 60-point fit has 1770 of them on every report. */
let scratch = new Float64Array(60 * 59);
let ts = new Float64Array(60);
let vs = new Float64Array(60);
function scratchOf(size: number): Float64Array {
  if (scratch.length < size) scratch = new Float64Array(size);
  if (ts.length < size) {
    ts = new Float64Array(size);
    vs = new Float64Array(size);
  }
  return scratch;
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

function fitPoints(pts: [number, number][], minPoints: number): TrendFit | null {
  if (pts.length < minPoints) return null;
  const size = pts.length;
  const slopes = scratchOf(Math.max(size, (size * (size - 1)) / 2));
  // The pairs loop reads flat copies of the times and values, not 60 small arrays.
  for (let i = 0; i < size; i++) {
    ts[i] = pts[i][0];
    vs[i] = pts[i][1];
  }
  let n = 0;
  for (let i = 0; i < size; i++) {
    const ti = ts[i];
    const vi = vs[i];
    for (let j = i + 1; j < size; j++) {
      const dt = ts[j] - ti;
      if (dt > 0) slopes[n++] = (vs[j] - vi) / dt;
    }
  }
  if (n === 0) return null;
  const slope = medianInPlace(slopes.subarray(0, n));
  const column = slopes.subarray(0, pts.length);
  for (let i = 0; i < pts.length; i++) column[i] = pts[i][1] - slope * pts[i][0];
  const intercept = medianInPlace(column);
  for (let i = 0; i < pts.length; i++) column[i] = pts[i][1];
  const level = medianInPlace(column);
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
