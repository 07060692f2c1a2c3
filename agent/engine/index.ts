/**
 * The diagnostic engine: pure functions shared by the Worker and the agent.
 * Data in, data out; time is an input.
 */

export { type Baseline, baselineQuantile } from "./baseline";
export { admitMetricNames, forgetFuture, MAX_METRIC_NAMES, MAX_STATE_BYTES, pruneState } from "./budget";
export {
  type ChainStep,
  mapActions,
  NOTIFY,
  resolveChain,
  SEED_EDGE_ACTIONS,
  type Skipped,
  WEBHOOK_PREFIX,
} from "./chain";
export { correlate, familiesOf, type Incident } from "./correlate";
export { DEFAULT_THRESHOLDS, defaultRules } from "./defaults";
export { DIAGNOSTIC_RULE_IDS, diagnosticRules, isBanded, MAX_NOISE_MARKS, raiseBar } from "./diagnostics";
export { emptyState, evaluate } from "./evaluate";
export { humanDuration } from "./findings";
export { healthScore, healthStatus } from "./health";
export { isPercentMetric, matchMetrics } from "./metric-names";
export { nextRecoveryStep } from "./recovery";
export {
  applySuggested,
  boundsFor,
  type MetricBasis,
  SUGGEST_MIN_SAMPLES,
  type Suggestion,
  suggestThresholds,
  THRESHOLD_METRICS,
  type ThresholdBounds,
} from "./suggest";
export {
  ACTION_TARGETS,
  bytesText,
  type CacheFact,
  type FindingRef,
  ownTarget,
  type Resolution,
  type RuleTarget,
  resolveTarget,
  SELECTORS,
  type Selector,
  type TargetFacts,
  type TargetKind,
} from "./targets";
export { fitTrend, growthPercentPerHour, type TrendWindow, timeToLimit } from "./trend";
export * from "./types";
