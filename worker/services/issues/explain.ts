/**
 * Every issue explains itself: the rule's condition in words, the engine's evidence, and what
 * automatic recovery will do next (or why it will not).
 */
import { humanDuration, type Rule } from "../../../agent/engine";
import type { issues } from "../../db/schema";
import type { HealingConfig } from "../../schemas/config";

type IssueRow = typeof issues.$inferSelect;

const forText = (seconds: number) => (seconds > 0 ? ` for ${humanDuration(seconds)}` : "");

/** "cpu above 90 (clears at 85) for 5 min", "disk:* reaches 100 within 6 h (trend over 2 h)". */
export function conditionOf(rule: Rule): string {
  const metric = rule.metric ?? "?";
  const samples = rule.minSamples && rule.minSamples > 1 ? ` for ${rule.minSamples} samples` : "";
  const trend = `trend over ${humanDuration(rule.windowSeconds ?? 3600)}`;
  switch (rule.kind) {
    case "service":
      return rule.service === "*" || !rule.service ? "any service down" : `service ${rule.service} down`;
    case "forecast":
      return `${metric} reaches ${rule.limit ?? 100} within ${humanDuration(rule.horizonSeconds ?? 6 * 3600)} (${trend})`;
    case "growth": {
      const level = rule.threshold === undefined ? "" : `, or above ${rule.threshold}`;
      return `${metric} grows ≥ ${rule.growthRate ?? 5} %/h (${trend})${level}`;
    }
    case "baseline": {
      const q = Math.round((rule.quantile ?? 0.99) * 100);
      const floor = rule.threshold === undefined ? "" : `, never below ${rule.threshold}`;
      return `${metric} above ${rule.factor ?? 1} × its p${q} baseline${floor}${forText(rule.durationSeconds)}`;
    }
    case "anomaly": {
      const score = `${metric} anomaly score ≥ ${rule.minScore ?? 0.5}`;
      if (rule.quantile === undefined) return `${score}${samples}`;
      const q = Math.round(rule.quantile * 100);
      const floor = rule.threshold === undefined ? "" : `, never below ${rule.threshold}`;
      return `${score}, then above ${rule.factor ?? 1} × its p${q} baseline${floor}${forText(rule.durationSeconds)}`;
    }
    default: {
      const op = rule.op ?? "above";
      const clears =
        rule.clearThreshold !== undefined && rule.clearThreshold !== rule.threshold
          ? ` (clears at ${rule.clearThreshold})`
          : "";
      return `${metric} ${op} ${rule.threshold}${clears}${forText(rule.durationSeconds)}${samples}`;
    }
  }
}

export interface Plan {
  actions: string[];
  next: string | null;
  why: string;
  /** The next action's target, and why the planner chose it (targets.ts). */
  target?: string | null;
  targetWhy?: string;
  /** Each action the planner can run with the target it chose and why, as of its last plan. */
  chain?: { action: string; target: string | null; why: string }[];
  /** Actions the planner skipped, each with its reason (no target, no webhook of that name). */
  skipped?: { action: string; reason: string }[];
}

type Chain = { chain: { action: string; target: string | null; why: string }[]; skipped: Plan["skipped"] };

/** What recovery will do next for an issue, from its row and the org's configuration. */
export function planOf(row: IssueRow, attempts: number, config: HealingConfig): Plan {
  const chosen = row.evidence.targets as Chain | undefined;
  const actions = chosen ? chosen.chain.map((s) => s.action) : row.actions;
  const skipped = chosen
    ? {
        ...(chosen.chain.length ? { chain: chosen.chain } : {}),
        ...(chosen.skipped?.length ? { skipped: chosen.skipped } : {}),
      }
    : {};
  const plan = (next: string | null, why: string): Plan => {
    const step = chosen?.chain.find((s) => s.action === next);
    return { actions, next, why, ...(step ? { target: step.target, targetWhy: step.why } : {}), ...skipped };
  };
  const max = config.recovery.max_attempts;
  if (row.status === "resolved") return plan(null, "resolved");
  if (row.actions.length === 0) return plan(null, "the rule names no recovery action: notify only");
  if (!config.enabled) return plan(null, "self-healing disabled");
  if (row.flapping) return plan(null, "held: flapping");
  if (!row.cause) return plan(null, "held: a symptom, waiting for its probable cause to be fixed");
  if (row.recoveryHold) return plan(null, row.recoveryHold);
  if (row.status === "escalated") return plan(null, `escalated after ${attempts} attempt(s)`);
  if (attempts >= max) return plan(null, `all ${max} attempts used; escalates if the condition holds`);
  if (actions.length === 0) return plan(null, "every action was skipped: notify only");
  const next = actions[Math.min(attempts, actions.length - 1)];
  if (row.status === "awaiting_approval") return plan(next, "awaiting approval");
  if (!config.recovery.auto_recovery && !config.recovery.require_confirmation)
    return plan(next, "automatic recovery off: run it with POST /api/healing/recover");
  return plan(next, `attempt ${attempts + 1} of ${max}`);
}

export interface Related {
  id: string;
  cause: boolean;
  summary: string;
}

/** The API's `flapping`, `incident` and `explanation`; `related`: the other open issues of its incident. */
export function diagnosticsOf(row: IssueRow, attempts: number, config: HealingConfig, related: Related[]) {
  const key = row.incidentKey ?? `${row.ruleId}|${row.target}`;
  const cause = row.cause ? row : (related.find((r) => r.cause) ?? row);
  const n = related.length;
  const more = n ? ` (+${n} related symptom${n > 1 ? "s" : ""})` : "";
  return {
    flapping: row.flapping,
    incident: {
      key,
      probableCause: `Probable cause: ${cause.summary}${more}`,
      cause: row.cause,
      related: related.map((r) => r.id),
    },
    explanation: {
      rule: {
        id: row.ruleId,
        name: row.ruleName,
        kind: row.ruleKind ?? (row.evidence.service ? "service" : "threshold"),
        condition: row.ruleCondition ?? row.summary,
      },
      evidence: row.evidence,
      plan: planOf(row, attempts, config),
    },
  };
}
