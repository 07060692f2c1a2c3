/**
 * A rule's actions as the planner runs them: names mapped to what runs them (an agent action, or
 * an action webhook of that name, the way the seed's `scale_resources` has no agent behind it),
 * then each given its target (targets.ts). What cannot run is skipped with its reason and the
 * chain moves on to the next action.
 */
import { ACTION_TARGETS, type FindingRef, type Resolution, resolveTarget, type TargetFacts } from "./targets";
import type { Rule } from "./types";

export const WEBHOOK_PREFIX = "webhook:";
/**
 * Not an action but the absence of one: the notification to the org's channels is the
 * whole response. It is never sent to an agent and counts as no recovery attempt.
 */
export const NOTIFY = "notify";
/** The seed's names for actions with no agent behind them: each runs the action webhook of that name. */
export const SEED_EDGE_ACTIONS: readonly string[] = ["scale_resources"];

export interface ChainStep {
  action: string;
  target: string | null;
  why: string;
}
export interface Skipped {
  action: string;
  reason: string;
}

/** Agent actions and webhook:<name> stay; another name runs as the action webhook of that name, if there is one. */
export function mapActions(
  actions: string[],
  webhooks: ReadonlySet<string>,
): { actions: string[]; skipped: Skipped[] } {
  const out: string[] = [];
  const skipped: Skipped[] = [];
  for (const action of actions) {
    if (action === NOTIFY) continue;
    if (action.startsWith(WEBHOOK_PREFIX) || action in ACTION_TARGETS) out.push(action);
    else if (webhooks.has(action)) out.push(`${WEBHOOK_PREFIX}${action}`);
    else
      skipped.push({
        action,
        reason: `${action} is not an agent action and no action webhook named ${action} is configured`,
      });
  }
  return { actions: [...new Set(out)], skipped };
}

/** Each action with its target, in order; those without one are skipped. */
export function resolveChain(
  rule: (Pick<Rule, "kind" | "threshold" | "op" | "target"> & Partial<Rule>) | undefined,
  finding: FindingRef,
  actions: string[],
  facts: TargetFacts,
): { steps: ChainStep[]; skipped: Skipped[] } {
  const steps: ChainStep[] = [];
  const skipped: Skipped[] = [];
  for (const action of actions) {
    const r: Resolution = resolveTarget(rule, finding, action, facts);
    if ("skipped" in r) skipped.push({ action, reason: r.skipped });
    else steps.push({ action, target: r.target, why: r.why });
  }
  return { steps, skipped };
}
