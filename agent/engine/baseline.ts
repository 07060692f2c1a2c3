/**
 * Adaptive baselines: a decayed histogram per metric, so "normal" follows the host over days
 * while old behaviour fades. Quantiles come from the histogram; the state is a sparse map of
 * bins, a few hundred bytes for percent metrics.
 */

import { numberEntryBound, rememberBound } from "./json-bound";

export interface Baseline {
  /** bin index → decayed weight */
  bins: Record<string, number>;
  total: number;
  /** samples seen (undecayed), to know when the baseline is ready */
  seen: number;
  last: number;
  /** ts of the first sample learned: how much of the host's time normal covers (absent in older states) */
  first?: number;
}

export interface BaselineParams {
  /** weight halves every halfLifeMs */
  halfLifeMs: number;
  /** samples before quantiles are trusted */
  minSamples: number;
}

export const BASELINE_DEFAULTS: BaselineParams = { halfLifeMs: 7 * 24 * 3_600_000, minSamples: 60 };

export const emptyBaseline = (): Baseline => ({ bins: {}, total: 0, seen: 0, last: 0 });

// Percent metrics get 0.5-point bins; everything else log bins 5 % wide, so bytes and rates fit too.
const PERCENT_BIN = 0.5;
const LOG_BASE = Math.log(1.05);

function binOf(value: number, percent: boolean): number {
  if (percent) return Math.floor(Math.min(100, Math.max(0, value)) / PERCENT_BIN);
  return Math.floor(Math.log1p(Math.max(0, value)) / LOG_BASE);
}

function upperEdge(bin: number, percent: boolean): number {
  return percent ? (bin + 1) * PERCENT_BIN : Math.expm1((bin + 1) * LOG_BASE);
}

export function learnBaseline(
  b: Baseline,
  ts: number,
  value: number,
  percent: boolean,
  p = BASELINE_DEFAULTS,
): Baseline {
  const decay = b.last ? 0.5 ** (Math.max(0, ts - b.last) / p.halfLifeMs) : 1;
  const bins: Record<string, number> = {};
  let total = 0;
  // the bins' JSON bound, found here (braces, each entry) so the state's size bound need not walk them
  let bytes = 2;
  // in the bins' own order (as their entries list them), without an array of entries per sample
  for (const k in b.bins) {
    if (!Object.hasOwn(b.bins, k)) continue;
    const kept = b.bins[k] * decay;
    // Weights this small no longer move a quantile; dropping them keeps the state small.
    if (kept > 1e-3) {
      bins[k] = kept;
      total += kept;
      bytes += numberEntryBound(k);
    }
  }
  const key = String(binOf(value, percent));
  if (bins[key] === undefined) bytes += numberEntryBound(key);
  bins[key] = (bins[key] ?? 0) + 1;
  rememberBound(bins, bytes);
  return { bins, total: total + 1, seen: b.seen + 1, last: Math.max(ts, b.last), first: b.first ?? ts };
}

/** The q-quantile (0..1) of normal, or null until the baseline has seen minSamples. */
export function baselineQuantile(
  b: Baseline,
  q: number,
  percent: boolean,
  p = BASELINE_DEFAULTS,
): number | null {
  if (b.seen < p.minSamples || b.total <= 0) return null;
  // Bins are keyed by non-negative integers, which an object lists in ascending order: walked in
  // their own order they are walked sorted, with no entries array to build and sort (four
  // quantiles a banded metric per sample). Keys out of order (not the engine's) are sorted.
  const target = q * b.total;
  let acc = 0;
  let prev = Number.NEGATIVE_INFINITY;
  let found: number | undefined;
  for (const k in b.bins) {
    if (!Object.hasOwn(b.bins, k)) continue;
    const bin = Number(k);
    if (!(bin >= prev)) return sortedQuantile(b, q, percent);
    prev = bin;
    acc += b.bins[k];
    if (found === undefined && acc >= target) found = bin;
  }
  if (found !== undefined) return upperEdge(found, percent);
  return prev === Number.NEGATIVE_INFINITY ? sortedQuantile(b, q, percent) : upperEdge(prev, percent);
}

/** The quantile by the bins sorted: the same walk for bins whose keys are not in order. */
function sortedQuantile(b: Baseline, q: number, percent: boolean): number {
  const ordered = Object.entries(b.bins)
    .map(([k, w]) => [Number(k), w] as const)
    .sort((a, c) => a[0] - c[0]);
  let acc = 0;
  for (const [bin, w] of ordered) {
    acc += w;
    if (acc >= q * b.total) return upperEdge(bin, percent);
  }
  return upperEdge(ordered[ordered.length - 1][0], percent);
}
