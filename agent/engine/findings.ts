import { explainBanded } from "./explain-band";
import type { Finding, Rule, RuleTrack } from "./types";

/** A finding's summary and evidence: what fired, on which samples, and what will be done. */
export function describeFinding(rule: Rule, target: string, track: RuleTrack, at: number): Finding {
  const since = track.since ?? at;
  const base = {
    ruleId: rule.id,
    target,
    severity: rule.severity,
    actions: rule.actions,
    at,
    ...(track.flapping ? { flapping: true } : {}),
    ...(rule.builtin ? { builtin: true } : {}),
  };
  if (rule.kind === "service") {
    return {
      ...base,
      summary: `${rule.name}: ${target}${detailText(track.detail)}`,
      evidence: { service: target, durationSeconds: rule.durationSeconds, since, detail: track.detail },
    };
  }
  const metric = target || rule.metric || "";
  const value = track.window?.at(-1)?.[1];
  return {
    ...base,
    summary: `${rule.name}: ${summaryOf(rule, metric, value, track.extra)}`,
    evidence: {
      metric,
      value,
      threshold: rule.threshold,
      op: rule.op ?? "above",
      durationSeconds: rule.durationSeconds,
      since,
      window: track.window,
      ...(track.extra ? { extra: track.extra } : {}),
      ...(track.extra?.seen !== undefined ? { explanation: explainBanded(rule, metric, track, at) } : {}),
    },
  };
}

const round = (v: number | undefined, digits = 1) =>
  v === undefined ? "?" : String(Math.round(v * 10 ** digits) / 10 ** digits);

function summaryOf(
  rule: Rule,
  metric: string,
  value: number | undefined,
  extra?: Record<string, number>,
): string {
  switch (rule.kind) {
    case "forecast":
      return `${metric} will reach ${extra?.limit ?? rule.limit ?? 100} in ~${humanDuration(extra?.etaSeconds ?? 0)} (now ${round(value)}, ${round(extra?.slopePerHour)}/h)`;
    case "growth":
      return `${metric} growing ${round(extra?.ratePerHour)} %/h (limit ${rule.growthRate ?? 5} %/h)`;
    case "baseline":
      if (rule.builtin && extra?.low !== undefined) return bandedSummary(metric, value, extra);
      return `${metric} ${round(value)} above its p${round((extra?.quantile ?? 0.99) * 100, 0)} baseline ${round(extra?.baseline)}${durationText(rule.durationSeconds)}`;
    case "anomaly":
      if (rule.quantile !== undefined && extra?.low !== undefined) return bandedSummary(metric, value, extra);
      return `${metric} anomalous (score ${round(extra?.score, 2)} ≥ ${rule.minScore ?? 0.5})`;
    default:
      return `${metric} ${round(value)} ${rule.op ?? "above"} ${rule.threshold}${durationText(rule.durationSeconds)}`;
  }
}

function bandedSummary(metric: string, value: number | undefined, extra: Record<string, number>) {
  return `${metric} ${round(value)} outside its normal ${round(extra.low)}–${round(extra.baseline)} (limit ${round(extra.limit)})`;
}

export function humanDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

function durationText(seconds: number) {
  if (seconds <= 0) return "";
  return seconds % 60 === 0 ? ` for ${seconds / 60} min` : ` for ${seconds} s`;
}

/** A service's detail after its name: "(refused)", or "— inactive (dead)" so no parentheses nest. */
function detailText(detail: string | undefined): string {
  if (!detail) return "";
  return /[()]/.test(detail) ? ` — ${detail}` : ` (${detail})`;
}
