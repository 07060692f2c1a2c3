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
  /** A score at or above this is an alarm... */
  alarm: number;
  /** ...and silences the output for this many points: one alarm per incident, not a burst. */
  restPeriod: number;
}

export const DEFAULT_PARAMS: Readonly<AnomalyParams> = Object.freeze({
  warmup: 300,
  levels: [5, 10, 5],
  blocks: [1, 1, 24],
  overflow: 3,
  order: 4,
  memoryBits: 14,
  probes: 2,
  rangeWeight: 0.05,
  alarm: 0.75,
  restPeriod: 100,
});
