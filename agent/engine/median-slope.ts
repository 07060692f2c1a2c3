/**
 * The median of a window's pairwise slopes (Theil–Sen), and the medians around it. A 60-point
 * window has 1770 slopes, and a steady host refits each of its trends on every report, each time
 * over a window that moved by one point: the median slope stays among a few of its neighbours.
 * So a fit remembers the slopes' values a few ranks either side of the median it found (its
 * bracket), and the next fit of that window's successor selects the median among the slopes
 * inside that range alone, counting those below it. That is the same order statistic, so the same
 * value to the last bit; when the bracket misses, the fit selects among all the slopes as before.
 */

/** The k-th smallest value of a[from, to) (quickselect, in place). */
export function select(a: Float64Array, k: number, from = 0, to = a.length): number {
  let lo = from;
  let hi = to - 1;
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
 * The median of a[0, n), reordering it in place. After selecting the upper middle, everything
 * before it is no larger, so the lower middle is their maximum: one selection instead of two.
 */
export function medianInPlace(a: Float64Array, n = a.length): number {
  const mid = n >> 1;
  const upper = select(a, mid, 0, n);
  if (n % 2) return upper;
  let lower = a[0];
  for (let i = 1; i < mid; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}

/** Slope values this many ranks below and above the median: a report moves it by fewer. */
const BRACKET_RANKS = 96;

/** Where a window's median slope was: the slopes' values BRACKET_RANKS either side of it. */
export interface Bracket {
  lo: number;
  hi: number;
}

/** Scratch for the slopes, reused: a fit has no allocation of its own. */
let slopes = new Float64Array(60 * 59);
let ts = new Float64Array(60);
let vs = new Float64Array(60);

/**
 * The median of the pairwise slopes of `pts` (pairs i < j with a later time only); null when no
 * pair has a later time. `bracket`, when given, is where the predecessor's median was: it is
 * tried, and moved in place. With `learn`, a fit over all the slopes also finds the bracket for
 * the next fit (two more selections, each over half of them): a window fitted once and dropped,
 * as a cold host object's is, does not pay for it.
 */
export function medianSlope(
  pts: [number, number][],
  bracket: Bracket | undefined,
  learn: boolean,
): { slope: number; bracket?: Bracket } | null {
  const size = pts.length;
  const pairs = (size * (size - 1)) / 2;
  if (slopes.length < Math.max(size, pairs)) slopes = new Float64Array(Math.max(size, pairs));
  if (ts.length < size) {
    ts = new Float64Array(size);
    vs = new Float64Array(size);
  }
  // The pairs loop reads flat copies of the times and values, not 60 small arrays.
  let exact = true;
  for (let i = 0; i < size; i++) {
    ts[i] = pts[i][0];
    const v = pts[i][1];
    vs[i] = v;
    // A slope of -0 (from a -0 value, or a difference too small for its time step) equals +0 to
    // the comparisons: which one a selection returns depends on the slopes' order, so the fit
    // over all of them, in their order as before, decides.
    if (v === 0 ? 1 / v < 0 : Math.abs(v) < 1e-280) exact = false;
  }
  if (bracket && exact) {
    const slope = withinBracket(size, bracket);
    if (slope !== null) return { slope, bracket };
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
  const slope = medianInPlace(slopes, n);
  if (!learn && !bracket) return { slope };
  // select left everything below the upper middle before it and everything above after it
  const mid = n >> 1;
  const lo = mid >= BRACKET_RANKS ? select(slopes, mid - BRACKET_RANKS, 0, mid) : Number.NEGATIVE_INFINITY;
  const hi =
    mid + BRACKET_RANKS < n ? select(slopes, mid + BRACKET_RANKS, mid + 1, n) : Number.POSITIVE_INFINITY;
  if (!bracket) return { slope, bracket: { lo, hi } };
  bracket.lo = lo;
  bracket.hi = hi;
  return { slope, bracket };
}

/**
 * The median slope selected among the slopes within the bracket, counting those below it and
 * those equal to either end (a flat window's slopes all are), or null when a median rank falls
 * outside it (or a slope is NaN, which no range holds). Moves the bracket to the values
 * BRACKET_RANKS either side of this median where the range holds them.
 */
function withinBracket(size: number, bracket: Bracket): number | null {
  const { lo, hi } = bracket;
  let n = 0;
  let below = 0;
  let atLo = 0;
  let atHi = 0;
  let m = 0;
  let nan = false;
  for (let i = 0; i < size; i++) {
    const ti = ts[i];
    const vi = vs[i];
    for (let j = i + 1; j < size; j++) {
      const dt = ts[j] - ti;
      if (!(dt > 0)) continue;
      const s = (vs[j] - vi) / dt;
      n++;
      if (s < lo) below++;
      else if (s === lo) atLo++;
      else if (s < hi) slopes[m++] = s;
      else if (s === hi) atHi++;
      else if (!(s > hi)) nan = true;
    }
  }
  if (nan || n === 0) return null;
  // The slopes by rank: below lo, at lo, the m between (unordered), at hi, above hi.
  const between = below + atLo;
  const beyond = between + m + atHi;
  const rank = (r: number): number | undefined => {
    if (r < below || r >= beyond) return undefined;
    if (r < between) return lo;
    if (r >= between + m) return hi;
    return select(slopes, r - between, 0, m);
  };
  const mid = n >> 1;
  const upper = rank(mid);
  const lower = n % 2 ? upper : rank(mid - 1);
  if (upper === undefined || lower === undefined) return null;
  // A side the range holds fewer than BRACKET_RANKS of keeps its end: still a few dozen ranks
  // away, as a report moves the median by fewer; a fit that misses starts the bracket again.
  bracket.lo = rank(mid - BRACKET_RANKS) ?? lo;
  bracket.hi = rank(mid + BRACKET_RANKS) ?? hi;
  return n % 2 ? upper : (lower + upper) / 2;
}
