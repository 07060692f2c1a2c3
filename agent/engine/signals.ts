import type { AnomalyDetector } from "./anomaly";
import { baselineQuantile, emptyBaseline, learnBaseline } from "./baseline";
import { isPercentMetric } from "./metric-names";
import { emptyTrend, fitTrend, growthPercentPerHour, pushTrend, timeToLimit } from "./trend";
import type { Rule, SeriesState } from "./types";

/** What one rule makes of one sample: does the condition hold, has it cleared, and why. */
export interface Signal {
  breach: boolean;
  /** false: this sample may continue a streak but not start one (a banded anomaly needs a score). */
  starts?: boolean;
  clears: boolean;
  value: number;
  extra?: Record<string, number>;
}

export const DEFAULT_TREND_WINDOW_S = 3600;

/** The longest trend window any rule asks of a metric. */
export function trendWindowMs(rules: Rule[]): number {
  const windows = rules.map((r) => (r.windowSeconds ?? DEFAULT_TREND_WINDOW_S) * 1000);
  return Math.max(DEFAULT_TREND_WINDOW_S * 1000, ...windows);
}

/**
 * Updates a metric's shared series state with one sample. Returns the state as it was *before*
 * this sample too, so a baseline is compared with what was normal, not with the value itself.
 */
export function advanceSeries(
  prev: SeriesState,
  ts: number,
  value: number,
  metric: string,
  needs: {
    trendMs?: number;
    baseline?: boolean;
    detector?: AnomalyDetector;
    /** Whether this sample starts or continues a banded rule's streak: normal is not learned from it. */
    frozen?: (after: SeriesState) => boolean;
  },
): { before: SeriesState; after: SeriesState } {
  const after: SeriesState = { ...prev, at: ts };
  if (needs.trendMs) after.trend = pushTrend(prev.trend ?? emptyTrend(), ts, value, needs.trendMs);
  if (needs.detector) {
    needs.detector.step(ts, value);
    // The score before the output rest: a rule's "for N samples" needs consecutive scores.
    const scores = prev.scores ?? [];
    after.scores = scores.slice(Math.max(0, scores.length + 1 - SCORES_KEPT));
    after.scores.push(needs.detector.beforeRest);
    after.onset = needs.detector.unrested;
  }
  if (needs.baseline && !(prev.baseline && needs.frozen?.(after)))
    after.baseline = learnBaseline(prev.baseline ?? emptyBaseline(), ts, value, isPercentMetric(metric));
  return { before: prev, after };
}

const SCORES_KEPT = 10;

/**
 * "anomaly score ≥ x for N samples": N is the rule's minSamples. The detector rests after an
 * alarm, so an anomaly issue is held until `holdSamples` calm scores in a row, not cleared by
 * the first quiet one.
 */
export function anomalySignal(
  rule: Rule,
  metric: string,
  value: number,
  s: { before: SeriesState; after: SeriesState },
): Signal | null {
  if (rule.quantile !== undefined) return bandedAnomalySignal(rule, metric, value, s);
  const series = s.after;
  const scores = series.scores ?? [];
  const score = scores.at(-1);
  if (score === undefined) return null;
  const minScore = rule.minScore ?? 0.5;
  const hold = Math.min(SCORES_KEPT, rule.holdSamples ?? 5);
  const calm = scores.length >= hold && scores.slice(-hold).every((s) => s < minScore);
  return { breach: score >= minScore, clears: calm, value, extra: { score } };
}

export function thresholdSignal(rule: Rule, value: number): Signal {
  const threshold = rule.threshold ?? 0;
  const above = (rule.op ?? "above") === "above";
  const clearAt = rule.clearThreshold ?? threshold;
  return {
    breach: above ? value > threshold : value < threshold,
    clears: above ? value <= clearAt : value >= clearAt,
    value,
  };
}

/** "/ will be full in ~3 h": the robust trend reaches the limit within the horizon. */
export function forecastSignal(rule: Rule, value: number, series: SeriesState): Signal | null {
  const fit = series.trend && fitTrend(series.trend);
  const windowMs = (rule.windowSeconds ?? DEFAULT_TREND_WINDOW_S) * 1000;
  // A trend over a sliver of the window is noise, not a forecast.
  if (!fit || fit.spanMs < windowMs / 4) return null;
  const limit = rule.limit ?? 100;
  const horizonMs = (rule.horizonSeconds ?? 6 * 3600) * 1000;
  const eta = timeToLimit(fit, limit);
  const extra = {
    etaSeconds: eta === null ? -1 : Math.round(eta / 1000),
    slopePerHour: fit.slopePerHour,
    limit,
  };
  return {
    breach: eta !== null && eta <= horizonMs,
    // Clears when the trend does: no longer heading to the limit, or twice the horizon away.
    clears: eta === null || eta > 2 * horizonMs,
    value,
    extra,
  };
}

/**
 * The seed's memory_leak: sustained growth of at least growth_rate % per hour over the window,
 * or, when the rule also has a threshold (the seed's memory_leak has 95), the level itself.
 */
export function growthSignal(rule: Rule, metric: string, value: number, series: SeriesState): Signal | null {
  const fit = series.trend && fitTrend(series.trend);
  const windowMs = (rule.windowSeconds ?? DEFAULT_TREND_WINDOW_S) * 1000;
  const trended = fit && fit.spanMs >= windowMs / 2 ? fit : null;
  const level = rule.threshold === undefined ? null : thresholdSignal(rule, value);
  if (!trended && !level) return null;
  const limit = rule.growthRate ?? 5;
  const rate = trended ? growthPercentPerHour(trended, isPercentMetric(metric)) : 0;
  return {
    breach: rate >= limit || Boolean(level?.breach),
    clears: rate < limit / 2 && (level?.clears ?? true),
    value,
    extra: { ratePerHour: rate, growthRate: limit },
  };
}

/** The host's normal range for a banded rule: its (1-q)..q quantiles, and the limit above it. */
export function bandOf(rule: Rule, metric: string, before: SeriesState) {
  const b = before.baseline;
  if (!b) return null;
  // a banded rule's windowSeconds: the span of the host's time normal must cover before it judges
  if (rule.windowSeconds && b.first !== undefined && b.last - b.first < rule.windowSeconds * 1000)
    return null;
  const quantile = rule.quantile ?? 0.99;
  const percent = isPercentMetric(metric);
  const high = baselineQuantile(b, quantile, percent);
  if (high === null) return null;
  const low = Math.min(high, baselineQuantile(b, 1 - quantile, percent) ?? high);
  const factor = rule.factor ?? 1;
  const limit = Math.max(rule.threshold ?? 0, high * factor);
  // Hysteresis: back under the band itself (or the floor's share of it), not just under the limit.
  const clearAt = Math.max(high, limit / factor);
  return { quantile, low, high, limit, clearAt, seen: b.seen };
}

/** "cpu above its p99 baseline": relative to this host's normal, with `threshold` as a floor. */
export function baselineSignal(
  rule: Rule,
  metric: string,
  value: number,
  before: SeriesState,
): Signal | null {
  const band = bandOf(rule, metric, before);
  if (!band) return null;
  const { quantile, low, high, limit, seen } = band;
  return {
    breach: value > limit,
    clears: value <= band.clearAt,
    value,
    extra: { baseline: high, quantile, limit, low, seen, score: limit > 0 ? value / limit : 0 },
  };
}

/**
 * A banded anomaly: the detector's score before any rest or damping (≥ minScore, see
 * `unrested` in anomaly/) starts a streak, the value staying above
 * the band (factor × p-quantile of normal, at least `threshold`) holds it, and it clears back
 * under the band itself. The score alone never opens an issue, nor does a level the host knows.
 */
function bandedAnomalySignal(
  rule: Rule,
  metric: string,
  value: number,
  s: { before: SeriesState; after: SeriesState },
): Signal | null {
  const band = bandOf(rule, metric, s.before);
  const score = s.after.onset;
  if (!band || score === undefined) return null;
  const { quantile, low, high, limit, seen } = band;
  return {
    breach: value > limit,
    starts: score >= (rule.minScore ?? 0.5),
    clears: value <= band.clearAt,
    value,
    extra: { score, baseline: high, quantile, limit, low, seen },
  };
}
