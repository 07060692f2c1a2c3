/**
 * Recovery for issues whose condition still holds, per the org's configuration:
 * - disabled, or auto_recovery off: nothing automatic;
 * - recovery/safeguards.ts decides, as for every path that queues: an action it refuses (emergency_shutdown
 *   turned off) escalates the issue; one that needs approval is created awaiting_approval;
 * - guardrails (recovery/guardrails.ts): maintenance windows, rolling recovery per group, circuit breaker;
 * - otherwise the engine's next step: run (queue a command), escalate, or wait.
 * Mutates the issues' status in place; the caller writes them.
 */
import {
  type ChainStep,
  type EvaluationResult,
  mapActions,
  nextRecoveryStep,
  type Rule,
  resolveChain,
  type Skipped,
} from "../../../../agent/engine";
import type { Db, Statement } from "../../../db/client";
import { SECOND } from "../../../lib/time";
import { notifyStatement } from "../../notify/outbox";
import { orderActions } from "../../recovery/action-order";
import { isEdgeAction } from "../../recovery/action-webhooks/run";
import { crashLoopHold, crashLoopSettings, logTailEvidence } from "../../recovery/crash-loop";
import {
  BREAKER_WINDOW_MS,
  breakerHold,
  type Guardrails,
  groupHold,
  maintenanceHold,
  noGuardrails,
} from "../../recovery/guardrails";
import { engineOwned } from "../../recovery/host-actions/settle";
import { type CommandRow, queueCommand } from "../../recovery/queue";
import { type Approval, decideAction } from "../../recovery/safeguards";
import { runnableSteps } from "../capabilities";
import { heldBy } from "./diagnose";
import type { IssueRow, ReportContext } from "./load";

/** How long a succeeded action has to make the condition clear before the next one runs. */
export const verifyWindowMs = (intervalSeconds: number, scale = 1) =>
  Math.max(3 * intervalSeconds * SECOND, 20 * SECOND) * scale;

/** The next step for an issue by its attempts alone (the learned order changes which action, not whether). */
function nextStep(ctx: ReportContext, issue: IssueRow, actions: string[], now: number) {
  const { monitoring, recovery } = ctx.config;
  const attempts = ctx.attempts.filter((a) => a.issueId === issue.id);
  return nextRecoveryStep({
    actions,
    attempts: attempts.map((a) => ({
      action: a.action,
      status: a.status,
      finishedAt: a.finishedAt ?? undefined,
    })),
    maxAttempts: recovery.max_attempts,
    now,
    verifyWindowMs: verifyWindowMs(monitoring.interval, recovery.verify_scale),
  });
}

/**
 * Whether this report reads the guardrails (they read across hosts, so from D1): when an issue
 * opens (its response target looks at upcoming maintenance) or an active issue's next step is to
 * run an action (maintenance, rolling recovery, the breaker, crash loops and the learned order
 * bear on it). An issue escalated to a human, or waiting on an action in flight or being
 * verified, needs none of them: such a host's reports stay off D1.
 */
export function needsGuardrails(ctx: ReportContext, evaluation: EvaluationResult, now: number): boolean {
  if (evaluation.opened.length > 0) return true;
  const unresolved = new Map(ctx.issues.filter(engineOwned).map((i) => [`${i.ruleId}|${i.target}`, i]));
  return evaluation.active.some((f) => {
    const issue = unresolved.get(`${f.ruleId}|${f.target}`);
    if (!issue) return true; // opened again (the engine state was lost)
    if (!recoveryOn(ctx)) return false;
    return issue.status !== "escalated" && nextStep(ctx, issue, issue.actions, now).kind === "run";
  });
}

type Chain = { steps: ChainStep[]; skipped: Skipped[] };
type Step = ReturnType<typeof nextRecoveryStep>;
type Plan = { statements: Statement[]; queued: CommandRow[]; edge: boolean };
/** What every step of one report's planning shares: its database, context, guardrails, time and plan so far. */
type Planning = { db: Db; ctx: ReportContext; guard: Guardrails; now: number; plan: Plan };

/**
 * Plans recovery for the report's active issues: resolve each issue's chain of actions, then for
 * each issue recovery may act on, check the holds and guardrails and queue its next step.
 */
export function planRecovery(
  db: Db,
  ctx: ReportContext,
  active: IssueRow[],
  now: number,
  rules: Rule[] = [],
) {
  const plan: Plan = { statements: [], queued: [], edge: false };
  // Guardrails: maintenance windows, rolling recovery per group, the circuit breaker,
  // learned action order and per-rule/severity/action approval.
  const guard = ctx.guard ?? noGuardrails();
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  const chains = resolveChains(ctx, active, guard, ruleById);
  if (!recoveryOn(ctx)) return plan;
  const planning: Planning = { db, ctx, guard, now, plan };
  for (const issue of active) {
    const chain = chains.get(issue.id) as Chain;
    const step = stepFor(ctx, guard, issue, chain, now);
    if (step?.kind === "run") runStep(planning, issue, chain, step.action, ruleById.get(issue.ruleId));
  }
  return plan;
}

const recoveryOn = (ctx: ReportContext) =>
  ctx.config.enabled && (ctx.config.recovery.auto_recovery || ctx.config.recovery.require_confirmation);

/**
 * Each action gets its target from this report (targets.ts); one without is skipped, never
 * sent. Kept in the evidence for every active issue, so a manual /recover aims the same way.
 */
function resolveChains(
  ctx: ReportContext,
  active: IssueRow[],
  guard: Guardrails,
  ruleById: Map<string, Rule>,
) {
  return new Map(
    active.map((issue): [string, Chain] => {
      const tried = ctx.attempts.filter((a) => a.issueId === issue.id).map((a) => a.action);
      const mapped = mapActions(issue.actions, guard.webhooks);
      const ordered = orderActions(issue.ruleId, mapped.actions, tried, guard.stats);
      const rule = ruleById.get(issue.ruleId);
      const chain = resolveChain(rule, findingOf(issue), ordered, ctx.targetFacts ?? { metrics: {} });
      // what the host's agent says it cannot run is skipped with why, never sent to be refused
      const able = runnableSteps(ctx.host.facts.capabilities, ctx.host.name, chain.steps);
      const skipped = [...mapped.skipped, ...chain.skipped, ...able.skipped];
      issue.evidence = { ...issue.evidence, targets: { chain: able.steps, skipped } };
      return [issue.id, { steps: able.steps, skipped }];
    }),
  );
}

/**
 * The issue's next step once the holds that come before any action are checked: escalated (a
 * human's turn), held by diagnosis or maintenance, skipped actions, or attempts used up (escalates
 * it). Null when nothing is to be done.
 */
function stepFor(
  ctx: ReportContext,
  guard: Guardrails,
  issue: IssueRow,
  chain: Chain,
  now: number,
): Step | null {
  // Escalated (attempts used, breaker, rejected or expired approval): a human's turn now.
  if (issue.status === "escalated") return null;
  issue.recoveryHold = null;
  if (heldBy(issue)) return null; // flapping, or a symptom of another issue (diagnose.ts)
  issue.recoveryHold = maintenanceHold(guard.windows, ctx.host, issue.ruleId);
  if (issue.recoveryHold) return null;
  const step = nextStep(
    ctx,
    issue,
    chain.steps.map((s) => s.action),
    now,
  );
  if (step.kind === "none" && chain.skipped.length > 0) {
    issue.recoveryHold = `skipped: ${chain.skipped.map((s) => s.reason).join("; ")}`;
  } else if (step.kind === "escalate") {
    issue.status = "escalated";
    issue.escalatedAt ??= now;
  }
  return step;
}

/** Escalates the issue to a human, held by `hold` (a crash loop, the breaker, a refusal). */
function escalate(issue: IssueRow, hold: string, now: number, evidence = issue.evidence) {
  Object.assign(issue, { status: "escalated", recoveryHold: hold, evidence });
  issue.escalatedAt ??= now;
}

/**
 * Runs `action` for the issue unless a guardrail stops it: a crash loop or a tripped breaker
 * escalates, rolling recovery holds, safeguards refuse (escalates) or ask for approval.
 */
function runStep(
  { db, ctx, guard, now, plan }: Planning,
  issue: IssueRow,
  chain: Chain,
  action: string,
  rule: Rule | undefined,
) {
  const target = chain.steps.find((s) => s.action === action)?.target ?? null;
  const loop = crashLoopHold(
    guard.restarts,
    action,
    target,
    crashLoopSettings(ctx.config),
    guard.restartsFirstAt,
  );
  if (loop) {
    // restarting again would only feed the loop: a human's turn, with the crash's output
    const evidence = { ...issue.evidence, crashLoop: loop, ...logTailEvidence(ctx.logTails, target ?? "") };
    return escalate(issue, loop, now, evidence);
  }
  const tripped = breakerTripped(ctx, guard, issue, action, target, now);
  if (tripped) return escalate(issue, tripped, now);
  issue.recoveryHold = groupHold(guard.group, ctx.host.id);
  if (issue.recoveryHold) return;
  const decision = decideAction(ctx.config.recovery, {
    action,
    severity: issue.severity,
    rule,
    automatic: true,
  });
  if (decision.refused !== null) return escalate(issue, decision.refused, now);
  queueStep({ db, ctx, guard, now, plan }, issue, action, target, decision.approval);
}

/** The circuit breaker's hold for `action` on `target`, counting this issue's recent failures of it. */
function breakerTripped(
  ctx: ReportContext,
  guard: Guardrails,
  issue: IssueRow,
  action: string,
  target: string | null,
  now: number,
) {
  const recent = ctx.attempts.filter(
    (a) =>
      a.issueId === issue.id &&
      a.action === action &&
      (a.status === "failed" || a.status === "timed_out") &&
      a.startedAt >= now - BREAKER_WINDOW_MS &&
      a.startedAt > (guard.resets.get(target ?? "") ?? 0),
  );
  return breakerHold(
    guard.failures,
    action,
    target,
    recent.map((a) => a.commandId),
    guard.failedAt,
    now,
  );
}

/** Queues the command (awaiting approval when safeguards ask for it) and, if it runs now, says so. */
function queueStep(
  { db, ctx, guard, now, plan }: Planning,
  issue: IssueRow,
  action: string,
  target: string | null,
  approval: Approval | null,
) {
  const { command, statements } = queueCommand(db, {
    ...{ orgId: ctx.orgId, hostId: ctx.host.id, issueId: issue.id, action, target },
    ...{ trigger: "auto", now, delivered: true, approval },
  });
  plan.statements.push(...statements);
  guard.group?.busy.add(ctx.host.id);
  if (approval !== null) {
    issue.status = "awaiting_approval";
    return;
  }
  plan.statements.push(
    notifyStatement(db, {
      ...{ orgId: ctx.orgId, issueId: issue.id, event: "recovery_started", now, commandId: command.id },
      detail: { action, trigger: "auto" },
    }),
  );
  if (isEdgeAction(command.action))
    plan.edge = true; // webhooks: the Worker runs them
  else plan.queued.push(command);
  issue.status = "recovering";
}

/** The issue as the target selectors read it: its target, its metric, whether a service rule made it. */
function findingOf(issue: IssueRow) {
  const evidence = issue.evidence as { metric?: unknown; service?: unknown };
  return {
    target: issue.target,
    metric: typeof evidence.metric === "string" ? evidence.metric : undefined,
    service: typeof evidence.service === "string",
  };
}

const chainOf = (evidence: Record<string, unknown>) =>
  (evidence.targets as { chain?: { action: string; target: string | null }[] } | undefined)?.chain;

/** The target the planner chose for `action` on this issue (kept in its evidence), if any. */
export function chosenTarget(evidence: Record<string, unknown>, action: string): string | null | undefined {
  return chainOf(evidence)?.find((s) => s.action === action)?.target;
}

/** The actions the planner can run for this issue (skipped ones left out), once it has planned it. */
export const plannedActions = (evidence: Record<string, unknown>) => chainOf(evidence)?.map((s) => s.action);
