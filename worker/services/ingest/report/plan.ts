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
  groupHold,
  maintenanceHold,
  noGuardrails,
} from "../../recovery/guardrails";
import { engineOwned } from "../../recovery/host-actions/settle";
import { type CommandRow, queueCommand } from "../../recovery/queue";
import { decideAction } from "../../recovery/safeguards";
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
  const { enabled, recovery } = ctx.config;
  const unresolved = new Map(ctx.issues.filter(engineOwned).map((i) => [`${i.ruleId}|${i.target}`, i]));
  return evaluation.active.some((f) => {
    const issue = unresolved.get(`${f.ruleId}|${f.target}`);
    if (!issue) return true; // opened again (the engine state was lost)
    if (!enabled || (!recovery.auto_recovery && !recovery.require_confirmation)) return false;
    return issue.status !== "escalated" && nextStep(ctx, issue, issue.actions, now).kind === "run";
  });
}

export function planRecovery(
  db: Db,
  ctx: ReportContext,
  active: IssueRow[],
  now: number,
  rules: Rule[] = [],
) {
  const { enabled, recovery } = ctx.config;
  const statements: Statement[] = [];
  const queued: CommandRow[] = [];
  let edge = false;
  // Guardrails: maintenance windows, rolling recovery per group, the circuit breaker,
  // learned action order and per-rule/severity/action approval.
  const guard = ctx.guard ?? noGuardrails();
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  // Each action gets its target from this report (targets.ts); one without is skipped, never
  // sent. Kept in the evidence for every active issue, so a manual /recover aims the same way.
  const chains = new Map(
    active.map((issue) => {
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
  if (!enabled || (!recovery.auto_recovery && !recovery.require_confirmation))
    return { statements, queued, edge };

  for (const issue of active) {
    // Escalated (attempts used, breaker, rejected or expired approval): a human's turn now.
    if (issue.status === "escalated") continue;
    issue.recoveryHold = null;
    if (heldBy(issue)) continue; // flapping, or a symptom of another issue (diagnose.ts)
    issue.recoveryHold = maintenanceHold(guard.windows, ctx.host, issue.ruleId);
    if (issue.recoveryHold) continue;
    const attempts = ctx.attempts.filter((a) => a.issueId === issue.id);
    const rule = ruleById.get(issue.ruleId);
    const chain = chains.get(issue.id) as { steps: ChainStep[]; skipped: Skipped[] };
    const { skipped } = chain;
    const step = nextStep(
      ctx,
      issue,
      chain.steps.map((s) => s.action),
      now,
    );
    if (step.kind === "none" && skipped.length > 0) {
      issue.recoveryHold = `skipped: ${skipped.map((s) => s.reason).join("; ")}`;
    } else if (step.kind === "escalate") {
      issue.status = "escalated";
      issue.escalatedAt ??= now;
    } else if (step.kind === "run") {
      const target = chain.steps.find((s) => s.action === step.action)?.target ?? null;
      const loop = crashLoopHold(
        guard.restarts,
        step.action,
        target,
        crashLoopSettings(ctx.config),
        guard.restartsFirstAt,
      );
      if (loop) {
        // restarting again would only feed the loop: a human's turn, with the crash's output
        const evidence = {
          ...issue.evidence,
          crashLoop: loop,
          ...logTailEvidence(ctx.logTails, target ?? ""),
        };
        Object.assign(issue, { status: "escalated", recoveryHold: loop, evidence });
        issue.escalatedAt ??= now;
        continue;
      }
      const recent = attempts.filter(
        (a) =>
          a.action === step.action &&
          (a.status === "failed" || a.status === "timed_out") &&
          a.startedAt >= now - BREAKER_WINDOW_MS &&
          a.startedAt > (guard.resets.get(target ?? "") ?? 0),
      );
      const tripped = breakerHold(
        guard.failures,
        step.action,
        target,
        recent.map((a) => a.commandId),
        guard.failedAt,
        now,
      );
      if (tripped) {
        Object.assign(issue, { status: "escalated", recoveryHold: tripped });
        issue.escalatedAt ??= now;
        continue;
      }
      issue.recoveryHold = groupHold(guard.group, ctx.host.id);
      if (issue.recoveryHold) continue;
      const decision = decideAction(recovery, {
        action: step.action,
        severity: issue.severity,
        rule,
        automatic: true,
      });
      if (decision.refused !== null) {
        Object.assign(issue, { status: "escalated", recoveryHold: decision.refused });
        issue.escalatedAt ??= now;
        continue;
      }
      const awaiting = decision.approval !== null;
      const { command, statements: queue } = queueCommand(db, {
        orgId: ctx.orgId,
        hostId: ctx.host.id,
        issueId: issue.id,
        action: step.action,
        target,
        trigger: "auto",
        now,
        delivered: true,
        approval: decision.approval,
      });
      statements.push(...queue);
      guard.group?.busy.add(ctx.host.id);
      if (awaiting) {
        issue.status = "awaiting_approval";
        continue;
      }
      statements.push(
        notifyStatement(db, {
          ...{ orgId: ctx.orgId, issueId: issue.id, event: "recovery_started", now, commandId: command.id },
          detail: { action: step.action, trigger: "auto" },
        }),
      );
      if (isEdgeAction(command.action))
        edge = true; // webhooks: the Worker runs them
      else queued.push(command);
      issue.status = "recovering";
    }
  }
  return { statements, queued, edge };
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
