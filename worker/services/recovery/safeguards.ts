/**
 * Safeguards: the one place that decides what an action needs before it may run, whichever path
 * queues it (the planner's rules, POST /api/healing/recover, host actions, action webhooks, which
 * are queued by those same paths) and what the agent may do alone while the edge is out of reach
 * (agentSettings' `unattended`). Pure: plain data in, plain data out.
 * - `recovery.emergency_shutdown: false` refuses emergency_shutdown everywhere;
 * - approval: require_confirmation (by severity, action or rule), the rule's own flag, and always
 *   emergency_shutdown; for what the engine queues by itself, auto_recovery off too;
 * - a second identity: what `recovery.second_approval` names (absent: emergency_shutdown) must be
 *   approved by a token other than the one that asked for it. There are no user accounts: an
 *   identity is a token (the session cookie is one too).
 */
import type { Rule, Severity } from "../../../agent/engine";
import type { Principal } from "../../env";
import { ApiError } from "../../lib/errors";
import type { HealingConfig } from "../../schemas/config";

type Recovery = HealingConfig["recovery"];
type Confirmation = Recovery["require_confirmation"];
export type Approval = "any" | "second";

export const EMERGENCY_SHUTDOWN = "emergency_shutdown";
/** recovery.second_approval when the org never set it. */
export const DEFAULT_SECOND_APPROVAL: Confirmation = { actions: [EMERGENCY_SHUTDOWN] };

export interface ActionRequest {
  action: string;
  severity: Severity;
  rule?: Pick<Rule, "id" | "requireConfirmation">;
  /** Queued by the engine on its own (a rule): with auto_recovery off a human approves it. */
  automatic?: boolean;
}

export type Decision = { refused: string } | { refused: null; approval: Approval | null };

function matches(policy: Confirmation, req: ActionRequest): boolean {
  if (typeof policy === "boolean") return policy;
  return Boolean(
    policy.severities?.includes(req.severity) ||
      policy.actions?.includes(req.action) ||
      (req.rule && policy.rules?.includes(req.rule.id)),
  );
}

/** Why the policy refuses this action outright (whoever asks, approved or not), or null. */
export function refusal(recovery: Recovery, action: string): string | null {
  if (action === EMERGENCY_SHUTDOWN && !recovery.emergency_shutdown)
    return "emergency_shutdown is turned off (recovery.emergency_shutdown is false)";
  return null;
}

export function decideAction(recovery: Recovery, req: ActionRequest): Decision {
  const refused = refusal(recovery, req.action);
  if (refused !== null) return { refused };
  const second = matches(recovery.second_approval ?? DEFAULT_SECOND_APPROVAL, req);
  const any =
    second ||
    req.action === EMERGENCY_SHUTDOWN ||
    Boolean(req.rule?.requireConfirmation) ||
    matches(recovery.require_confirmation, req) ||
    (Boolean(req.automatic) && !recovery.auto_recovery);
  return { refused: null, approval: second ? "second" : any ? "any" : null };
}

/** Agent actions local autonomy may take by itself (agent/src/autonomy.ts). */
const LOCAL_ACTIONS = ["restart_service"];

/**
 * The local actions the agent may take alone while cut off: those the policy would let the engine
 * run without a human for every enabled service rule. None while healing is off.
 */
export function unattendedActions(config: HealingConfig, rules: Rule[]): string[] {
  if (!config.enabled) return [];
  const serviceRules = rules.filter((r) => r.kind === "service" && r.enabled !== false);
  const asked = serviceRules.length > 0 ? serviceRules : [undefined];
  return LOCAL_ACTIONS.filter((action) =>
    asked.every((rule) => {
      const d = decideAction(config.recovery, {
        action,
        severity: rule?.severity ?? "high",
        rule,
        automatic: true,
      });
      return d.refused === null && d.approval === null;
    }),
  );
}

/**
 * Who is asking: a person (a session's user, or the owner of the token used), else a token's id,
 * else the environment token's name (it has no row). So the four-eyes rule is a person's when
 * both sides are people: one person signed in twice, or using their own token, is still one.
 */
export interface Requester {
  id: string;
  name: string;
}

export const requesterOf = (p: Principal): Requester => ({
  id: p.userId ?? p.tokenId ?? `env:${p.name}`,
  name: p.name,
});

/** Refuses (403) a requester's own approval of a command that needs a second identity. */
export function assertMayApprove(
  command: { approval: Approval | null; requestedBy: string | null; requesterName: string | null },
  approver: Principal,
): void {
  if (command.approval !== "second" || command.requestedBy === null) return;
  if (command.requestedBy !== requesterOf(approver).id) return;
  throw new ApiError(
    "FORBIDDEN",
    `this command needs a second person's approval: ${command.requesterName ?? "this token"} asked for it, so a different person (or token) must approve it`,
  );
}
