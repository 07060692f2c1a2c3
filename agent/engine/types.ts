/**
 * Plain data the engine reads and writes. No runtime, no database, no clock: time comes in as
 * epoch milliseconds on the samples and as `now`.
 */

export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Flat metric map: cpu, memory, disk (fullest mount), disk:/var, swap, load1, net.rx, net.tx ... (percent or raw units). */
export type Metrics = Record<string, number>;

export interface EngineSample {
  /** epoch ms */
  ts: number;
  metrics: Metrics;
}

export interface EngineService {
  name: string;
  status: "up" | "down" | "unknown";
  detail?: string;
  /** Stopped on purpose by the agent: never treated as down. */
  stopped?: boolean;
}

/** The monitoring config's alert thresholds, as the agent protocol defines them (type only). */
export type { AlertThresholds } from "../protocol";

/**
 * A diagnostic rule with the seed's semantics: a condition that must hold for `durationSeconds`
 * before it opens an issue, a severity, and ordered recovery actions.
 * - `threshold`: metric `op` threshold, cleared at `clearThreshold` (hysteresis; defaults to threshold).
 * - `service`: a service (or "*" for every service) reported down.
 */
export type RuleKind = "threshold" | "service" | "forecast" | "growth" | "baseline" | "anomaly";
export const RULE_KINDS: readonly RuleKind[] = [
  "threshold",
  "service",
  "forecast",
  "growth",
  "baseline",
  "anomaly",
];

export interface Rule {
  id: string;
  name: string;
  description?: string;
  kind: RuleKind;
  /** The metric watched; one "*" makes it a pattern and each matching metric its own target (disk:*). */
  metric?: string;
  op?: "above" | "below";
  /** threshold: the limit; baseline: a floor below which nothing fires. */
  threshold?: number;
  clearThreshold?: number;
  service?: string;
  durationSeconds: number;
  /** Consecutive breaching samples needed besides the duration (anomaly: "for N samples"). */
  minSamples?: number;
  /** forecast: the level that means exhausted (default 100) and how far ahead to warn. */
  limit?: number;
  horizonSeconds?: number;
  /** forecast and growth: the trend window. */
  windowSeconds?: number;
  /** growth: the seed's growth_rate, % per hour. */
  growthRate?: number;
  /**
   * baseline: fire above factor × the metric's q-quantile of normal. anomaly: with a quantile the
   * rule is banded (diagnostics.ts): a score starts a streak, the band holds it, the p-quantile clears it.
   */
  quantile?: number;
  factor?: number;
  /** anomaly: the detector's score that counts as anomalous, and calm samples before it clears. */
  minScore?: number;
  holdSamples?: number;
  /** Flap detection: this many opens within the window marks the issue flapping. */
  flapCount?: number;
  flapWindowSeconds?: number;
  severity: Severity;
  actions: string[];
  /** Every automatic action of this rule waits for a human's approval (the Worker's planner). */
  requireConfirmation?: boolean;
  /** What the actions act on, when the finding does not say (targets.ts): names, or a selector. */
  target?: import("./targets").RuleTarget;
  enabled: boolean;
  builtin?: boolean;
  /** The bar as operators' noise marks raised it on this host (diagnostics.ts raiseBar). */
  noise?: NoiseRaise;
}

export interface NoiseRaise {
  marks: number;
  /** The hold and band factor before any mark, so the explanation can say what moved. */
  baseDurationSeconds: number;
  baseFactor?: number;
}

/** Per (rule, target) memory between reports; small enough to keep as JSON on the host row. */
export interface RuleTrack {
  /** When the condition started holding in the current streak (epoch ms). */
  since?: number;
  /** Whether an issue is open for it. */
  active: boolean;
  /** When the issue opened (epoch ms). */
  openedAt?: number;
  /** Recent [ts, value] while breaching, newest last: the evidence window (bounded). */
  window?: [number, number][];
  /** The service's own words about why it is down. */
  detail?: string;
  /** Consecutive breaching samples in the current streak. */
  count?: number;
  /** Recent open times, for flap detection. */
  opens?: number[];
  flapping?: boolean;
  /** While flapping: when the condition last stopped holding. */
  quietSince?: number;
  /** Kind-specific evidence of the newest breaching sample (forecast, growth, baseline...). */
  extra?: Record<string, number>;
}

/** Per-metric memory shared by every rule on that metric. */
export interface SeriesState {
  trend?: import("./trend").TrendWindow;
  baseline?: import("./baseline").Baseline;
  /** the streaming anomaly detector's snapshot (≤ 4 KB) */
  anomaly?: import("./anomaly").DetectorSnapshot;
  /** the newest anomaly scores, newest last (bounded): what plain anomaly rules read */
  scores?: number[];
  /** the newest score before any rest or damping: what starts a banded anomaly's streak (anomaly/) */
  onset?: number;
  /** ts of the newest sample that advanced it (epoch ms): the least recently seen are pruned first */
  at?: number;
}

export interface HostEngineState {
  v: 1;
  /** keyed by `${ruleId}|${target}` */
  tracks: Record<string, RuleTrack>;
  /** keyed by metric name */
  series?: Record<string, SeriesState>;
  /** The metric names the host reports, with the hour each was last seen (budget.ts). */
  names?: Record<string, number>;
}

export interface Evidence {
  metric?: string;
  service?: string;
  value?: number;
  threshold?: number;
  op?: "above" | "below";
  durationSeconds: number;
  /** When the condition started holding (ISO-free: epoch ms). */
  since: number;
  /** The window of [ts, value] samples that fired. */
  window?: [number, number][];
  detail?: string;
  /** forecast: etaSeconds, slopePerHour, limit; growth: ratePerHour; baseline: baseline, quantile. */
  extra?: Record<string, number>;
  /** Banded rules: the finding in words (score, the host's normal range, the window, any raised bar). */
  explanation?: string;
}

export interface Finding {
  ruleId: string;
  /** "" for host-wide rules, the service name for service rules. */
  target: string;
  severity: Severity;
  summary: string;
  evidence: Evidence;
  actions: string[];
  /** When the condition had held long enough (epoch ms). */
  at: number;
  /** Opening and closing too often: actions and notifications are held until it settles. */
  flapping?: boolean;
  /** From a built-in rule: between equal findings, an org's own rule is the probable cause. */
  builtin?: boolean;
}

export interface Clearance {
  ruleId: string;
  target: string;
  at: number;
  reason: "recovered" | "settled" | "rule_removed" | "target_gone";
  value?: number;
}

export interface EvaluationInput {
  samples: EngineSample[];
  /** The full current list of services, or undefined to leave service rules untouched. */
  services?: EngineService[];
  now: number;
  /** Ignore durations (a one-time check has a single sample). */
  instant?: boolean;
}

export interface EvaluationResult {
  state: HostEngineState;
  opened: Finding[];
  cleared: Clearance[];
  /** Every condition currently holding long enough, opened now or before. */
  active: Finding[];
  /** Findings that became flapping in this evaluation. */
  flapping: Finding[];
}

export type HealthStatus = "healthy" | "degraded" | "critical";

export type AttemptStatus = "pending" | "succeeded" | "failed" | "refused" | "timed_out";

export interface Attempt {
  action: string;
  status: AttemptStatus;
  /** epoch ms the result came back (succeeded attempts are verified against it). */
  finishedAt?: number;
}

export type RecoveryStep =
  | { kind: "run"; action: string; attempt: number }
  | { kind: "wait"; reason: string }
  | { kind: "escalate"; reason: string }
  | { kind: "none"; reason: string };
