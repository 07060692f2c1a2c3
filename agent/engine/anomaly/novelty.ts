/** The raw score of a point: how much of its recent context has never been seen before. */
import { extend, mix, seenOrAdd } from "./memory";
import type { AnomalyParams } from "./params";

/** Per stream: the last `order` levels (newest first) and the open block's sum and count. */
export type StreamState = { levels: number[]; sum: number; count: number }[];

export function initialStreams(p: AnomalyParams): StreamState {
  return p.levels.map(() => ({ levels: [], sum: 0, count: 0 }));
}

/**
 * Share of novel contexts over the streams that complete a symbol at this point (0..1), blended
 * with a small grade for distance outside the learned range [lo, hi]. Updates `streams` and
 * `memory` in place.
 */
export function noveltyOf(
  value: number,
  lo: number,
  hi: number,
  streams: StreamState,
  memory: Uint8Array,
  p: AnomalyParams,
): number {
  const range = hi - lo || Math.abs(hi) || 1;
  let novel = 0;
  let keys = 0;
  let slow = 0;
  for (let r = 0; r < p.levels.length; r++) {
    const block = p.blocks[r] ?? 1;
    const st = streams[r];
    let x = value;
    if (block > 1) {
      st.sum += value;
      if (++st.count < block) continue;
      x = st.sum / block;
      st.sum = st.count = 0;
    }
    const levels = p.levels[r];
    const raw = Math.floor(((x - lo) * (levels - 1)) / range);
    const level = Math.max(-levels * p.overflow, Math.min(levels * (1 + p.overflow), raw));
    let h = mix(level + 1000 + r * 77777);
    const past = st.levels;
    let sn = 0;
    let sk = 0;
    for (let k = 0; k <= past.length; k++) {
      if (k > 0) h = extend(h, past[k - 1], k);
      if (!seenOrAdd(memory, p.memoryBits, p.probes, h)) sn++;
      sk++;
    }
    if (block > 1) slow = Math.max(slow, sn / sk);
    novel += sn;
    keys += sk;
    past.unshift(level);
    if (past.length > p.order) past.pop();
  }
  const outside = (Math.abs(value - (hi + lo) / 2) - range / 2) / range;
  const grade = Math.min(1, Math.max(0, outside));
  return keys
    ? Math.max(novel / keys, slow) * (1 - p.rangeWeight) + p.rangeWeight * grade
    : p.rangeWeight * grade;
}

/**
 * Where the grid [lo, hi] ends, as multiples of its range from lo: below the first or at/above the
 * second, some stream clamps `value` to its outermost level (past `overflow` x the range), where
 * every value scores alike and the grid can no longer tell them apart.
 */
export function gridEdges(p: AnomalyParams): [number, number] {
  let below = Number.NEGATIVE_INFINITY;
  let above = Number.POSITIVE_INFINITY;
  for (const levels of p.levels) {
    if (levels < 2) continue;
    // level = floor(z (levels - 1)) is clamped when < -levels x overflow or > levels x (1 + overflow)
    below = Math.max(below, Math.ceil(-levels * p.overflow) / (levels - 1));
    above = Math.min(above, (Math.floor(levels * (1 + p.overflow)) + 1) / (levels - 1));
  }
  return [below, above];
}
