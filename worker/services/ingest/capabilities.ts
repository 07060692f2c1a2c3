/**
 * What a host's agent can do (it says so in its first report after each start; stored in the
 * host's facts): the edge queues nothing else for it, so an action the agent would refuse is a
 * 409 at the request rather than a refused command and an escalated issue later. A host whose
 * agent has not said (an older agent) is not checked here; its agent still refuses.
 */
import { ACTION_TARGETS, type ChainStep, type Skipped, WEBHOOK_PREFIX } from "../../../agent/engine";
import type { Capabilities } from "../../../agent/protocol";
import { conflict } from "../../lib/errors";

const SECTION = { service: "services", cache: "caches", config: "configs", script: "scripts" } as const;

/** Why the host cannot run `action` on `target`, or null when it can (or has not said what it can). */
export function capabilityGap(
  caps: Capabilities | undefined,
  host: string,
  action: string,
  target: string | null,
): string | null {
  if (!caps || action.startsWith(WEBHOOK_PREFIX)) return null;
  if (!caps.actions.includes(action))
    return `${action} is not enabled in ${host}'s agent config (it enables ${caps.actions.join(", ") || "nothing"})`;
  const kind = ACTION_TARGETS[action];
  if (!kind || target === null) return null;
  const names: string[] = caps[SECTION[kind]];
  if (!names.includes(target)) return `${host}'s agent config has no ${kind} named ${target}`;
  const only = caps.limits?.[action];
  if (only && !only.includes(target))
    return `${host}'s agent config allows ${action} only on ${only.join(", ")}, not ${target}`;
  return null;
}

/** Throws the 409 when the host cannot run it. */
export function requireCapability(
  caps: Capabilities | undefined,
  host: string,
  action: string,
  target: string | null,
): void {
  const gap = capabilityGap(caps, host, action, target);
  if (gap) throw conflict(gap);
}

/** A plan's steps split into those the host can run and those skipped with the reason. */
export function runnableSteps(
  caps: Capabilities | undefined,
  host: string,
  steps: ChainStep[],
): { steps: ChainStep[]; skipped: Skipped[] } {
  if (!caps) return { steps, skipped: [] };
  const out: ChainStep[] = [];
  const skipped: Skipped[] = [];
  for (const step of steps) {
    const gap = capabilityGap(caps, host, step.action, step.target);
    if (gap) skipped.push({ action: step.action, reason: gap });
    else out.push(step);
  }
  return { steps: out, skipped };
}
