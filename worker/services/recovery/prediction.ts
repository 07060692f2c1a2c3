/**
 * Recovery success prediction: for each action an issue plans, the learned chance that it heals
 * this rule's issues and the finished attempts behind it (the numbers the planner orders by,
 * ./action-order.ts). Below MIN_ATTEMPTS the planner keeps the rule's order: `learned` says so.
 */
import { MIN_ATTEMPTS, successProbability } from "./action-order";

export interface Prediction {
  action: string;
  successProbability: number;
  attempts: number;
  succeeded: number;
  learned: boolean;
}

export function predict(
  rows: { ruleId: string; action: string; attempts: number; succeeded: number }[],
  ruleId: string,
  actions: string[],
): Prediction[] {
  return [...new Set(actions)].map((action) => {
    const row = rows.find((r) => r.ruleId === ruleId && r.action === action);
    const attempts = row?.attempts ?? 0;
    const succeeded = Number(row?.succeeded ?? 0);
    const p = successProbability(succeeded, attempts);
    return {
      action,
      successProbability: Math.round(p * 1000) / 1000,
      attempts,
      succeeded,
      learned: attempts >= MIN_ATTEMPTS,
    };
  });
}
