/**
 * The built-in AI diagnostics (the seed's `monitoring.enable_ai_diagnostics`): per host, each of
 * cpu, memory, disk, load and network is compared with its own learned normal. They notify only
 * (low/medium, no actions), and are built to stay quiet on a healthy host:
 * - nothing is judged before normal covers `windowSeconds` of the host's time: a day for the
 *   slow metrics (a daily peak is normal, not news), minutes for cpu and load, where the detector
 *   also learns the daily shape;
 * - a streak starts only when the anomaly detector scores the change (anomaly kind) or the value
 *   leaves a learned p99 band (baseline kind);
 * - it must then stay above factor × the host's p99 of normal (and an absolute floor) for the
 *   rule's hold before an issue opens, and it clears only back under the plain p99 (hysteresis);
 * - normal is not learned from a streak, so an anomaly cannot teach itself into the baseline.
 * An operator marking a finding as noise raises that rule's bar on that host (raiseBar).
 */
import type { Rule } from "./types";

const MIN = 60;
const DAY = 86_400;

function banded(
  id: string,
  name: string,
  kind: "anomaly" | "baseline",
  metric: string,
  opts: { floor: number; factor: number; hold: number; learn: number; severity: "low" | "medium" },
): Rule {
  return {
    id,
    name,
    kind,
    metric,
    op: "above",
    quantile: 0.99,
    factor: opts.factor,
    threshold: opts.floor,
    ...(kind === "anomaly" ? { minScore: 0.7 } : {}),
    durationSeconds: opts.hold,
    windowSeconds: opts.learn,
    severity: opts.severity,
    actions: [],
    enabled: true,
    builtin: true,
  };
}

/**
 * cpu and load go by the anomaly detector: a change of pattern, then a hold outside the band.
 * Memory and disk go by the band alone over a longer hold (the detector adds nothing to a level
 * that creeps), and so does network: a detector costs its state (~4 KB) and its restore on every
 * report, and a transfer volume is judged well enough by its level. The floors keep an idle host's small numbers out of it
 * (a p99 of 3 % cpu makes 5 % "unusual" but not worth a word).
 */
export function diagnosticRules(): Rule[] {
  return [
    banded("cpu_anomaly", "CPU unusual for this host", "anomaly", "cpu", {
      floor: 50,
      factor: 1.1,
      hold: 3 * MIN,
      learn: 5 * MIN,
      severity: "medium",
    }),
    banded("load_anomaly", "Load unusual for this host", "anomaly", "load1", {
      floor: 1,
      factor: 1.25,
      hold: 1 * MIN,
      learn: 5 * MIN,
      severity: "medium",
    }),
    banded("net_rx_baseline", "Network in above this host's normal", "baseline", "net.rx", {
      floor: 1_000_000,
      factor: 1.5,
      hold: 3 * MIN,
      learn: DAY,
      severity: "low",
    }),
    banded("net_tx_baseline", "Network out above this host's normal", "baseline", "net.tx", {
      floor: 1_000_000,
      factor: 1.5,
      hold: 3 * MIN,
      learn: DAY,
      severity: "low",
    }),
    banded("memory_baseline", "Memory above this host's normal", "baseline", "memory", {
      floor: 50,
      factor: 1.1,
      hold: 10 * MIN,
      learn: DAY,
      severity: "low",
    }),
    banded("disk_baseline", "Disk above this host's normal", "baseline", "disk", {
      floor: 50,
      factor: 1.05,
      hold: 10 * MIN,
      learn: DAY,
      severity: "low",
    }),
  ];
}

export const DIAGNOSTIC_RULE_IDS: readonly string[] = diagnosticRules().map((r) => r.id);

/** A rule whose band comes from the host's baseline: a baseline rule, or an anomaly rule with a quantile. */
export const isBanded = (rule: Rule) =>
  rule.kind === "baseline" || (rule.kind === "anomaly" && rule.quantile !== undefined);

/** Each noise mark lengthens the hold by the rule's own hold and widens the band by a quarter. */
const HOLD_STEP = 1;
const BAND_STEP = 0.25;
export const MAX_NOISE_MARKS = 10;
const MAX_HOLD_S = 7 * 86_400;

/**
 * The rule as an operator's `marks` noise marks left it on one host: a longer hold and, for a
 * banded rule, a wider band. 0 marks is the rule as it is (undo restores it exactly).
 */
export function raiseBar(rule: Rule, marks: number): Rule {
  const n = Math.min(MAX_NOISE_MARKS, Math.max(0, Math.floor(marks)));
  if (n === 0) return rule;
  const base = rule.noise ?? { baseDurationSeconds: rule.durationSeconds, baseFactor: rule.factor };
  const hold = Math.max(base.baseDurationSeconds, MIN);
  const raised: Rule = {
    ...rule,
    durationSeconds: Math.min(MAX_HOLD_S, base.baseDurationSeconds + HOLD_STEP * n * hold),
    noise: { ...base, marks: n },
  };
  if (isBanded(rule)) raised.factor = round2((base.baseFactor ?? 1) * (1 + BAND_STEP * n));
  return raised;
}

const round2 = (v: number) => Math.round(v * 100) / 100;
