import type { AnomalyDetector } from "./anomaly";
import { pruneState } from "./budget";
import { describeFinding } from "./findings";
import { saveDetector, takeDetector } from "./live-detectors";
import { matchMetrics } from "./metric-names";
import { planOf, type RulePlan } from "./rule-plan";
import {
  advanceSeries,
  anomalySignal,
  bandOf,
  baselineSignal,
  forecastSignal,
  growthSignal,
  type Signal,
  thresholdSignal,
} from "./signals";
import type {
  Clearance,
  EngineSample,
  EngineService,
  EvaluationInput,
  EvaluationResult,
  Finding,
  HostEngineState,
  Rule,
  RuleTrack,
  SeriesState,
} from "./types";

/** Evidence windows are bounded so a host's state stays a few KB however long a breach lasts. */
const WINDOW_MAX = 20;
const FLAP_COUNT = 3;
const FLAP_WINDOW_S = 600;

export function emptyState(): HostEngineState {
  return { v: 1, tracks: {}, series: {} };
}

const keyOf = (ruleId: string, target: string) => `${ruleId}|${target}`;
const splitKey = (key: string) => {
  const at = key.indexOf("|");
  return { ruleId: key.slice(0, at), target: key.slice(at + 1) };
};

interface Run {
  tracks: Record<string, RuleTrack>;
  series: Record<string, SeriesState>;
  opened: Finding[];
  cleared: Clearance[];
  flapping: Finding[];
  instant: boolean;
  detectors: Map<string, AnomalyDetector>;
  /** Tracks copied in this run: the caller's tracks are copied before their first change. */
  owned: Set<RuleTrack>;
}

/**
 * Runs every enabled rule over the new samples (oldest first) and the current services, carrying
 * each condition's streak in `state`. A condition opens once it has held for the rule's duration
 * (and minSamples), clears at the rule's clear level, and one (rule, target) is never open twice.
 * An issue that keeps opening and closing is marked flapping and held open until it settles.
 */
export function evaluate(
  rules: Rule[],
  state: HostEngineState | undefined,
  input: EvaluationInput,
): EvaluationResult {
  const run: Run = {
    // Copy on write: series are replaced whole by advanceSeries, tracks copied on first change.
    tracks: { ...state?.tracks },
    series: { ...state?.series },
    opened: [],
    cleared: [],
    flapping: [],
    instant: input.instant ?? false,
    detectors: new Map(),
    owned: new Set(),
  };
  const plan = planOf(rules);
  const { enabled } = plan;

  for (const key of Object.keys(run.tracks)) {
    const { ruleId, target } = splitKey(key);
    if (enabled.has(ruleId)) continue;
    if (run.tracks[key].active) run.cleared.push({ ruleId, target, at: input.now, reason: "rule_removed" });
    delete run.tracks[key];
  }

  for (const sample of input.samples) evaluateSample(run, plan, sample);
  if (input.services) {
    for (const rule of plan.serviceRules) evaluateServices(run, rule, input.services, input.now);
  }
  for (const [metric, detector] of run.detectors) run.series[metric].anomaly = saveDetector(detector);
  pruneSeries(run, plan);

  const active: Finding[] = [];
  for (const [key, track] of Object.entries(run.tracks)) {
    const { ruleId, target } = splitKey(key);
    const rule = enabled.get(ruleId);
    if (track.active && rule) active.push(describeFinding(rule, target, track, track.openedAt ?? input.now));
  }
  const names = state?.names ? { names: state.names } : {};
  return {
    state: pruneState({ v: 1, tracks: run.tracks, series: run.series, ...names }),
    opened: run.opened,
    cleared: run.cleared,
    active,
    flapping: run.flapping,
  };
}

function evaluateSample(run: Run, plan: RulePlan, sample: EngineSample) {
  // Each metric's series state advances once per sample, however many rules read it.
  const advanced = new Map<string, { before: SeriesState; after: SeriesState }>();
  const seriesOf = (metric: string, value: number) => {
    let entry = advanced.get(metric);
    if (!entry) {
      const { trendMs, anomaly, banded } = plan.metric(metric);
      let detector = run.detectors.get(metric);
      if (!detector && anomaly) {
        // once per evaluation, not once per sample
        detector = takeDetector(run.series[metric]?.anomaly);
        run.detectors.set(metric, detector);
      }
      entry = advanceSeries(run.series[metric] ?? {}, sample.ts, value, metric, {
        trendMs,
        baseline: banded.length > 0,
        detector,
        frozen: (after) => banded.some((r) => inStreak(run, r, metric, value, after)),
      });
      run.series[metric] = entry.after;
      advanced.set(metric, entry);
    }
    return entry;
  };

  for (const rule of plan.metricRules) {
    for (const metric of matchMetrics(rule.metric ?? "", sample.metrics)) {
      const value = sample.metrics[metric];
      if (!Number.isFinite(value)) continue;
      const target = rule.metric?.includes("*") ? metric : "";
      const signal = signalOf(rule, metric, value, seriesOf(metric, value));
      if (signal) applySignal(run, rule, target, sample.ts, signal);
    }
  }
}

/** Whether this sample starts or continues a banded rule's streak (diagnostics.ts). */
function inStreak(run: Run, rule: Rule, metric: string, value: number, after: SeriesState): boolean {
  if (run.tracks[keyOf(rule.id, rule.metric?.includes("*") ? metric : "")]?.since !== undefined) return true;
  const band = bandOf(rule, metric, run.series[metric] ?? {});
  if (!band || value <= band.limit) return false;
  return rule.kind === "baseline" || (after.onset ?? 0) >= (rule.minScore ?? 0.5);
}

function signalOf(rule: Rule, metric: string, value: number, s: { before: SeriesState; after: SeriesState }) {
  switch (rule.kind) {
    case "threshold":
      return thresholdSignal(rule, value);
    case "forecast":
      return forecastSignal(rule, value, s.after);
    case "growth":
      return growthSignal(rule, metric, value, s.after);
    case "baseline":
      return baselineSignal(rule, metric, value, s.before);
    case "anomaly":
      return anomalySignal(rule, metric, value, s);
    default:
      return null;
  }
}

function evaluateServices(run: Run, rule: Rule, services: EngineService[], now: number) {
  const seen = new Set<string>();
  for (const service of services) {
    if (rule.service !== "*" && service.name !== rule.service) continue;
    seen.add(keyOf(rule.id, service.name));
    const down = service.status === "down" && !service.stopped;
    const up = service.status === "up" || Boolean(service.stopped);
    applySignal(
      run,
      rule,
      service.name,
      now,
      { breach: down, clears: up, value: down ? 0 : 1 },
      service.detail,
    );
  }
  for (const key of Object.keys(run.tracks)) {
    if (!key.startsWith(`${rule.id}|`) || seen.has(key)) continue;
    if (run.tracks[key].active) run.cleared.push({ ...splitKey(key), at: now, reason: "target_gone" });
    delete run.tracks[key];
  }
}

function applySignal(run: Run, rule: Rule, target: string, ts: number, signal: Signal, detail?: string) {
  const key = keyOf(rule.id, target);
  const prior = run.tracks[key];
  const track: RuleTrack = prior ? (run.owned.has(prior) ? prior : { ...prior }) : { active: false };
  run.owned.add(track);
  run.tracks[key] = track;
  // A banded anomaly's streak starts on a score, then only the band holds it.
  const breach = signal.breach && (signal.starts !== false || track.since !== undefined);
  if (breach || (track.active && !signal.clears)) {
    track.quietSince = undefined;
    track.since ??= ts;
    track.count = (track.count ?? 0) + 1;
    if (rule.kind !== "service") {
      track.window = [...(track.window ?? []), [ts, signal.value] as [number, number]].slice(-WINDOW_MAX);
    }
    if (signal.extra) track.extra = withPeak(signal.extra, track.extra);
    if (detail !== undefined) track.detail = detail;
    const held = run.instant || ts - track.since >= rule.durationSeconds * 1000;
    if (!track.active && held && track.count >= (rule.minSamples ?? 1)) open(run, rule, target, track, ts);
  } else if (track.active && track.flapping) {
    // A flapping issue stays open, quietly, until the condition has stayed clear for the flap window.
    track.quietSince ??= ts;
    if (ts - track.quietSince >= flapWindowMs(rule)) {
      run.cleared.push({ ruleId: rule.id, target, at: ts, reason: "settled", value: signal.value });
      reset(track, true);
    }
  } else {
    const value = rule.kind === "service" ? {} : { value: signal.value };
    if (track.active) run.cleared.push({ ruleId: rule.id, target, at: ts, reason: "recovered", ...value });
    reset(track, false);
  }
  if (!track.active && track.since === undefined && !track.opens?.length) delete run.tracks[key];
}

/** A banded anomaly's score is the streak's peak: the score that started it, not the latest calm one. */
function withPeak(extra: Record<string, number>, prev: Record<string, number> | undefined) {
  if (extra.seen === undefined || extra.score === undefined || prev?.score === undefined) return extra;
  return { ...extra, score: Math.max(extra.score, prev.score) };
}

const flapWindowMs = (rule: Rule) => (rule.flapWindowSeconds ?? FLAP_WINDOW_S) * 1000;

/**
 * Metric rules flap when a value hovers on the line. A service that keeps dying is another
 * matter, governed by max_attempts (and crash-loop policy), so service rules flap only when the
 * rule asks for it.
 */
const flapCountOf = (rule: Rule) =>
  rule.flapCount ?? (rule.kind === "service" ? Number.POSITIVE_INFINITY : FLAP_COUNT);

function open(run: Run, rule: Rule, target: string, track: RuleTrack, at: number) {
  track.active = true;
  track.openedAt = at;
  track.opens = [...(track.opens ?? []).filter((t) => at - t < flapWindowMs(rule)), at];
  const finding = describeFinding(rule, target, track, at);
  run.opened.push(finding);
  if (track.opens.length >= flapCountOf(rule)) {
    track.flapping = true;
    run.flapping.push({ ...finding, flapping: true });
  }
}

function reset(track: RuleTrack, settled: boolean) {
  for (const k of ["since", "openedAt", "window", "detail", "count", "quietSince", "extra"] as const)
    delete track[k];
  track.active = false;
  if (settled) {
    delete track.flapping;
    delete track.opens;
  }
}

/** Series state is kept only for metrics some rule still reads through a trend or a baseline. */
function pruneSeries(run: Run, plan: RulePlan) {
  for (const metric of Object.keys(run.series)) if (!plan.metric(metric).stateful) delete run.series[metric];
}
