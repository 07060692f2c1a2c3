/**
 * What an evaluation derives from the rules alone: the enabled ones by id, the metric rules, and,
 * per metric name, the rules that read it and what its series must keep for them. The Worker
 * hands the same rules array to every report while its cache of them lives, and deriving this
 * again on every report (each of 20 rules matched against each metric of each sample) was a
 * good part of a steady report's engine time.
 *
 * The engine stays pure: a plan is kept against the very array it was made of and used again
 * only while that array still holds the same rule objects; anything else makes a new one, equal
 * to what the evaluation would derive itself. Rules are read, never written, by the engine, and a
 * caller that edits a rule in place passes a new array (the Worker builds new rules on an edit).
 */
import { isBanded } from "./diagnostics";
import { matchesMetric } from "./metric-names";
import { trendWindowMs } from "./signals";
import type { Rule } from "./types";

/** What one metric's series keeps, and for which rules. */
export interface MetricPlan {
  /** the metric rules that read this metric, in the rules' order */
  readers: Rule[];
  /** the longest trend window a forecast or growth rule asks of it, if any reads it */
  trendMs: number | undefined;
  /** whether an anomaly rule reads it (its series keeps a detector) */
  anomaly: boolean;
  /** the banded rules that read it (its series learns a baseline) */
  banded: Rule[];
  /** whether a rule other than a threshold reads it (its series state is kept) */
  stateful: boolean;
}

export interface RulePlan {
  enabled: Map<string, Rule>;
  /** the enabled rules that read metrics, in the rules' order */
  metricRules: Rule[];
  /** the enabled service rules, in the rules' order */
  serviceRules: Rule[];
  metric(name: string): MetricPlan;
}

/** Metric names planned per rules array before the plan starts again (a host reports at most 300). */
const METRICS_KEPT = 2000;

const plans = new WeakMap<Rule[], { rules: Rule[]; plan: RulePlan }>();

/** The plan of these rules: the kept one while the array holds the same rules, else a new one. */
export function planOf(rules: Rule[]): RulePlan {
  const kept = plans.get(rules);
  if (kept && sameRules(kept.rules, rules)) return kept.plan;
  const plan = makePlan(rules);
  plans.set(rules, { rules: [...rules], plan });
  return plan;
}

function sameRules(a: Rule[], b: Rule[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function makePlan(rules: Rule[]): RulePlan {
  const enabled = new Map(rules.filter((r) => r.enabled).map((r) => [r.id, r]));
  const metricRules = [...enabled.values()].filter((r) => r.kind !== "service");
  const serviceRules = [...enabled.values()].filter((r) => r.kind === "service");
  const byMetric = new Map<string, MetricPlan>();
  const metric = (name: string): MetricPlan => {
    let plan = byMetric.get(name);
    if (!plan) {
      const readers = metricRules.filter((r) => matchesMetric(r.metric ?? "", name));
      const trending = readers.filter((r) => r.kind === "forecast" || r.kind === "growth");
      plan = {
        readers,
        trendMs: trending.length ? trendWindowMs(trending) : undefined,
        anomaly: readers.some((r) => r.kind === "anomaly"),
        banded: readers.filter(isBanded),
        stateful: readers.some((r) => r.kind !== "threshold"),
      };
      if (byMetric.size >= METRICS_KEPT) byMetric.clear();
      byMetric.set(name, plan);
    }
    return plan;
  };
  return { enabled, metricRules, serviceRules, metric };
}
