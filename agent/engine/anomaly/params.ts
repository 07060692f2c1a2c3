import type { DurationParams } from "./duration";

/** Tuning of the streaming anomaly detector. One set serves every series; nothing is per file. */
export interface AnomalyParams {
  /**
   * Points used to learn the value range before any score is reported. The quantisation grid is
   * frozen afterwards, so contexts learnt early stay comparable with later ones.
   */
  warmup: number;
  /** Quantisation levels across the learned range, one context stream per entry (coarse and fine). */
  levels: number[];
  /**
   * Points averaged per symbol, per stream (same length as `levels`): 1 follows every point, larger
   * blocks see the shape of hours (a day that stays flat, a changed daily profile).
   */
  blocks: number[];
  /** Out-of-range levels kept on each side, as a multiple of the level count (beyond: clamped). */
  overflow: number;
  /** Longest context: a key is the current level plus up to this many previous levels. */
  order: number;
  /** log2 of the bits in the seen-context memory (a Bloom filter). */
  memoryBits: number;
  /** Bloom filter probes per context. */
  probes: number;
  /** Weight of the distance-outside-the-learned-range term that grades equally novel points. */
  rangeWeight: number;
  /**
   * A novelty alarm within this many points of the novelty's last output alarm restarts the rest
   * (one incident's alarms keep it quiet); later ones inside a rest do not, so a drifting series
   * leaves its rest at the latest `restReach + restPeriod` points after its last output alarm.
   * Absent (0) in snapshots written before it existed: only output alarms restart the rest.
   */
  restReach?: number;
  /**
   * Re-gridding the novelty view when the series outgrows the warm-up's grid: every `every` points,
   * if at least `share` of them lay beyond the grid's outermost levels (where every value clamps to
   * one level and scores alike), the grid is re-learnt on those points' range, the context memory
   * is cleared and the novelty rests for `warmup` points while it learns the new grid. A host whose
   * load drifted up would otherwise see a burn at the very level its drifted normal already clamps
   * to. Absent in snapshots written before it existed: those grids stay as they were.
   */
  regrid?: { every: number; share: number };
  /** A score at or above this is an alarm... */
  alarm: number;
  /**
   * ...and, when it was output, silences the novelty for this many points: one alarm per incident,
   * not a burst. Alarms within the rest do not restart it, or a drifting series would never leave it.
   */
  restPeriod: number;
  /**
   * A final score at or above this is an output alarm, and the output then rests (scores 0) for
   * `outputRest` points: NAB credits only the first detection of an anomaly window, so the points
   * right after it can only add false positives. Absent (0) in snapshots written before it existed.
   */
  outputAlarm?: number;
  outputRest?: number;
  /** The resonance view (see resonance.ts); its confidence is scaled by `resonanceWeight`. */
  resonance: ResonanceParams;
  /** Final score = max(novelty, min(1, resonanceWeight x resonance confidence), duration). */
  resonanceWeight: number;
  /**
   * The duration view (see duration.ts), on the novelty view's learned range. Absent in snapshots
   * written before it existed: those detectors go on without it, exactly as they scored before.
   */
  duration?: DurationParams;
  /**
   * After a final score at or above `outputAlarm`, scores for the next `points` points are scaled by
   * `damp`: within one incident only a stronger alarm stands out, so a day of weak follow-up alarms
   * does not rank with the first one. Absent in snapshots written before it existed (no damping).
   */
  incident?: { points: number; damp: number };
}

/** Tuning of the resonance view (adaptive resonance over downsampled windows, after ARTime). */
export interface ResonanceParams {
  /** Raw points used to learn the range and the starting vigilance; nothing scores before. */
  warmup: number;
  /** Raw points per downsampled sample (the block's spike if it stands out, else its mean). */
  step: number;
  /** Downsampled samples per window (one category slot each). */
  window: number;
  /** Quantisation levels across the learned range (at most 91). */
  levels: number;
  /** Share of the range within which a level snaps to the running median level. */
  chomp: number;
  /** A block's extreme counts as a spike only when it is this share of the mean away from it. */
  spike: number;
  /** The learned range is widened by this share of its width on each side; beyond it, clamped. */
  margin: number;
  /**
   * At this many raw points, and at every doubling of it, the range is re-learnt from every value
   * seen so far (widened by `margin`, never narrowed) and the categories are re-levelled onto it, so
   * a short warm-up can start scoring early without freezing a range that later data outgrows.
   * 0 or absent: never.
   */
  rerangeAt?: number;
  /**
   * Categories kept (least recently used forgotten); each costs 2 x window characters of state.
   * Forgetting sooner lets a changed normal stop resonating as new: 36 to 44 all beat 48 on both
   * halves of the NAB cross-check, so the middle of that plateau is used, not its best point.
   */
  capacity: number;
  /** Vigilance used to derive the starting vigilance from the warm-up windows. */
  initialRho: number;
}

export const DEFAULT_PARAMS: Readonly<AnomalyParams> = Object.freeze({
  warmup: 200,
  levels: [5, 10, 5],
  blocks: [1, 1, 24],
  overflow: 3,
  order: 4,
  memoryBits: 13,
  probes: 2,
  rangeWeight: 0.15,
  alarm: 0.75,
  restPeriod: 100,
  outputAlarm: 0.7,
  outputRest: 32,
  resonance: Object.freeze({
    warmup: 300,
    step: 6,
    window: 8,
    levels: 80,
    chomp: 0.075,
    spike: 0.1,
    margin: 0.35,
    rerangeAt: 1000,
    capacity: 40,
    initialRho: 0.8,
  }),
  resonanceWeight: 3,
  // 100 and 400 score within 0.1 on NAB; without any reach the rest ends early on noisy series
  // (realAdExchange 90.8 -> 83.2); the shortest that keeps it lets a drifting series out soonest
  restReach: 100,
  // on NAB it rarely fires (74.06 with, 74.14 without); 500-point periods score as 1000 do
  regrid: Object.freeze({ every: 500, share: 0.05 }),
  // 4-hour blocks on a 3-level grid: fires once a level is held 1.5 x longer than ever before; its
  // 0.75 is an alarm alone but not within an incident (0.75 x 0.85): 0.72 to 0.8 score the same
  duration: Object.freeze({ block: 48, levels: 3, factor: 1.5, minRun: 3, after: 600, score: 0.75 }),
  // one day of 5-minute points; 0.8 to 0.9 all pass the cross-check, the middle is used
  incident: Object.freeze({ points: 288, damp: 0.85 }),
});
