import type { Attempt, RecoveryStep } from "./types";

export interface RecoveryInput {
  /** The rule's ordered actions (already reordered by learned success, when there is any). */
  actions: string[];
  /** Earlier attempts for this issue, oldest first. */
  attempts: Attempt[];
  maxAttempts: number;
  now: number;
  /** How long a succeeded action has to make the condition clear before it counts as failed. */
  verifyWindowMs: number;
}

/**
 * The seed's workflow for an issue whose condition still holds: execute, verify, escalate.
 * Attempt n runs actions[n] (the last action repeats when there are fewer actions than attempts).
 */
export function nextRecoveryStep(input: RecoveryInput): RecoveryStep {
  const { actions, attempts, maxAttempts, now, verifyWindowMs } = input;
  if (actions.length === 0) return { kind: "none", reason: "the rule names no recovery action" };
  const last = attempts.at(-1);
  if (last?.status === "pending") return { kind: "wait", reason: `${last.action} is still running` };
  if (
    last?.status === "succeeded" &&
    last.finishedAt !== undefined &&
    now - last.finishedAt < verifyWindowMs
  ) {
    return { kind: "wait", reason: `verifying ${last.action}` };
  }
  if (attempts.length >= maxAttempts) {
    return { kind: "escalate", reason: `condition still holds after ${attempts.length} attempt(s)` };
  }
  const action = actions[Math.min(attempts.length, actions.length - 1)];
  return { kind: "run", action, attempt: attempts.length + 1 };
}
