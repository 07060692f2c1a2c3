/**
 * Adaptive thresholds: per host, the alert thresholds its learned baseline suggests (the p99 of
 * its normal plus headroom), and the same bounded by the org's limits for the opt-in `auto` mode.
 * Pure: it reads the engine's series state.
 */
import { baselineQuantile } from "./baseline";
import type { AlertThresholds, SeriesState } from "./types";

export type ThresholdMetric = "cpu" | "memory" | "disk";
export const THRESHOLD_METRICS: readonly ThresholdMetric[] = ["cpu", "memory", "disk"];
export type ThresholdKey = keyof AlertThresholds;
export type ThresholdBounds = Partial<Record<ThresholdKey, { min: number; max: number }>>;

/** A suggestion needs this much of the host's history (6 h at the seed's 30 s interval). */
export const SUGGEST_MIN_SAMPLES = 720;
/** Points above the host's p99 of normal where its warning goes: less for disk, which only fills. */
const HEADROOM: Record<ThresholdMetric, number> = { cpu: 15, memory: 10, disk: 5 };
/** Auto mode moves a threshold at most this far from the org's when the org sets no bounds. */
export const DEFAULT_BOUND = 10;

export interface MetricBasis {
  p50: number;
  p99: number;
  samples: number;
}

export interface Suggestion {
  thresholds: Partial<AlertThresholds>;
  basis: Record<ThresholdMetric, MetricBasis | null>;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * warning = p99 of normal + headroom; critical keeps the org's gap above it. A metric whose
 * baseline has seen fewer than SUGGEST_MIN_SAMPLES gets no suggestion.
 */
export function suggestThresholds(
  series: Record<string, SeriesState> | undefined,
  org: AlertThresholds,
): Suggestion {
  const thresholds: Partial<AlertThresholds> = {};
  const basis = {} as Record<ThresholdMetric, MetricBasis | null>;
  for (const m of THRESHOLD_METRICS) {
    const b = series?.[m]?.baseline;
    const p99 = b && b.seen >= SUGGEST_MIN_SAMPLES ? baselineQuantile(b, 0.99, true) : null;
    const p50 = b && p99 !== null ? baselineQuantile(b, 0.5, true) : null;
    if (!b || p99 === null || p50 === null) {
      basis[m] = null;
      continue;
    }
    basis[m] = { p50, p99, samples: b.seen };
    const gap = Math.max(1, org[`${m}_critical`] - org[`${m}_warning`]);
    const warning = clamp(Math.ceil(p99 + HEADROOM[m]), 1, 99);
    thresholds[`${m}_warning`] = warning;
    thresholds[`${m}_critical`] = clamp(warning + gap, warning, 100);
  }
  return { thresholds, basis };
}

/** The bounds in force: the org's, or DEFAULT_BOUND either side of its own threshold. */
export function boundsFor(org: AlertThresholds, bounds: ThresholdBounds = {}): Required<ThresholdBounds> {
  const out = {} as Required<ThresholdBounds>;
  for (const key of Object.keys(org) as ThresholdKey[])
    out[key] = bounds[key] ?? {
      min: clamp(org[key] - DEFAULT_BOUND, 0, 100),
      max: clamp(org[key] + DEFAULT_BOUND, 0, 100),
    };
  return out;
}

/** Auto mode: the suggestions clamped into the bounds, over the org's thresholds; warning ≤ critical. */
export function applySuggested(
  org: AlertThresholds,
  suggested: Partial<AlertThresholds>,
  bounds: ThresholdBounds = {},
): AlertThresholds {
  const limits = boundsFor(org, bounds);
  const out = { ...org };
  for (const [key, value] of Object.entries(suggested) as [ThresholdKey, number][])
    out[key] = clamp(value, limits[key].min, limits[key].max);
  for (const m of THRESHOLD_METRICS)
    if (out[`${m}_warning`] > out[`${m}_critical`]) out[`${m}_warning`] = out[`${m}_critical`];
  return out;
}
