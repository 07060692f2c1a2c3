/**
 * A banded finding in words: what the score was, what this host's normal is and how much it has
 * seen, how long the value has been outside it, and whether operators have raised the bar.
 */
import { humanDuration } from "./findings";
import type { Rule, RuleTrack } from "./types";

const num = (v: number | undefined) => {
  if (v === undefined || !Number.isFinite(v)) return "?";
  if (Math.abs(v) >= 10_000) return `${Math.round(v / 1000)}k`;
  return String(Math.round(v * 10) / 10);
};

export function explainBanded(rule: Rule, metric: string, track: RuleTrack, at: number): string {
  const e = track.extra ?? {};
  const value = track.window?.at(-1)?.[1];
  const q = Math.round((e.quantile ?? rule.quantile ?? 0.99) * 100);
  const since = track.since ?? at;
  const parts = [
    rule.kind === "anomaly"
      ? `Anomaly score ${num(e.score)} (bar ${rule.minScore ?? 0.5}) started it.`
      : `${num(e.score)} × its limit.`,
    `This host's normal ${metric} is ${num(e.low)}–${num(e.baseline)} (p${100 - q}–p${q} of ${e.seen ?? 0} samples);`,
    `the limit is ${num(e.limit)} (${rule.factor ?? 1} × p${q}${rule.threshold ? `, at least ${rule.threshold}` : ""}).`,
    `${metric} was ${num(value)}, above the limit for ${humanDuration((at - since) / 1000)} (hold ${humanDuration(rule.durationSeconds)}, window ${track.window?.length ?? 0} samples).`,
  ];
  if (rule.noise?.marks)
    parts.push(
      `Bar raised after ${rule.noise.marks} noise mark${rule.noise.marks > 1 ? "s" : ""} on this host: hold ${humanDuration(rule.durationSeconds)} (was ${humanDuration(rule.noise.baseDurationSeconds)})${rule.noise.baseFactor !== undefined ? `, band ${rule.factor} × (was ${rule.noise.baseFactor} ×)` : ""}.`,
    );
  return parts.join(" ");
}
