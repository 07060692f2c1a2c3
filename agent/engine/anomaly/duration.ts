/**
 * Third view of the detector: a state that lasts longer than it ever has. The series is averaged
 * over blocks of a few hours and put on a coarse grid of the learned range; the view keeps the
 * longest run seen at each level, and fires once when the current run outlasts that record by a
 * factor (a daily peak that never comes, a service stuck at a level it only ever visited briefly).
 * Context novelty misses this kind: every key of a too-long run was seen before, only not that often
 * in a row. State: the open block, the current run and one record per level (a few dozen numbers).
 */

/** Tuning of the duration view. */
export interface DurationParams {
  /** Raw points averaged per block. */
  block: number;
  /** Grid levels across the learned range (levels beyond it are kept up to `overflow` x levels). */
  levels: number;
  /** A run fires when it lasts more than this many times its level's record... */
  factor: number;
  /** ...and that record is at least this many blocks long (a level only passed through has none). */
  minRun: number;
  /** Nothing fires before this many points (the records need a few days to mean anything). */
  after: number;
  /** The score of a firing block (0..1). */
  score: number;
}

export interface DurationState {
  /** open block: sum and count */
  sum: number;
  count: number;
  /** level of the current run (null before the first block), its length in blocks, fired yet */
  level: number | null;
  run: number;
  fired: boolean;
  /** longest finished run per level, indexed from the lowest kept level */
  best: number[];
}

export function durationStart(p: DurationParams, overflow: number): DurationState {
  const span = Math.round(p.levels * (1 + 2 * overflow)) + 1;
  return { sum: 0, count: 0, level: null, run: 0, fired: false, best: new Array(span).fill(0) };
}

/**
 * Scores the n-th point (1-based) against the learned range [lo, hi]: `p.score` at the block that
 * makes the current run a record by `factor`, else 0. Updates `s` in place.
 */
export function durationStep(
  s: DurationState,
  value: number,
  n: number,
  lo: number,
  hi: number,
  overflow: number,
  p: DurationParams,
): number {
  s.sum += value;
  if (++s.count < p.block) return 0;
  const x = s.sum / p.block;
  s.sum = s.count = 0;
  const range = hi - lo || Math.abs(hi) || 1;
  const floor = -Math.round(p.levels * overflow);
  const raw = Math.floor(((x - lo) * (p.levels - 1)) / range);
  const level = Math.max(floor, Math.min(Math.round(p.levels * (1 + overflow)), raw));
  if (level === s.level) s.run++;
  else {
    if (s.level !== null) s.best[s.level - floor] = Math.max(s.best[s.level - floor], s.run);
    s.level = level;
    s.run = 1;
    s.fired = false;
  }
  const best = s.best[level - floor];
  if (n <= p.after || s.fired || best < p.minRun || s.run <= p.factor * best) return 0;
  s.fired = true;
  return p.score;
}
