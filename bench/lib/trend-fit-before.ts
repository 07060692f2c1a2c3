// The Theil–Sen fit as it was before the median slope was selected within a bracket: every
// pairwise slope stored, then a selection among all of them on every fit; kept only so
// bench:engine can time both side by side on the same windows.
import type { TrendFit } from "../../agent/engine/trend";

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

export function fitPointsBefore(pts: [number, number][], minPoints = 6): TrendFit | null {
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
