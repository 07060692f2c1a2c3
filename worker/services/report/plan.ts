/**
 * Recovery for issues whose condition still holds, per the org's configuration:
 * - disabled, or auto_recovery off: nothing automatic;
 * - require_confirmation: an issue that needs an action waits for a human (awaiting_approval);
 * - otherwise the engine's next step: run (queue a command), escalate, or wait.
 * Mutates the issues' status in place; the caller writes them.
 */
import { nextRecoveryStep } from "../../../agent/engine";
import type { Db, Statement } from "../../db/client";
import { SECOND } from "../../lib/time";
import { notifyStatement } from "../notify/outbox";
import { type CommandRow, queueCommand } from "../recovery";
import { commandTarget, heldBy } from "./diagnose";
import type { IssueRow, ReportContext } from "./load";

/** How long a succeeded action has to make the condition clear before the next one runs. */
export const verifyWindowMs = (intervalSeconds: number) =>
  Math.max(3 * intervalSeconds * SECOND, 20 * SECOND);

export function planRecovery(db: Db, ctx: ReportContext, active: IssueRow[], now: number) {
  const { enabled, monitoring, recovery } = ctx.config;
  const statements: Statement[] = [];
  const queued: CommandRow[] = [];
  if (!enabled || (!recovery.auto_recovery && !recovery.require_confirmation)) return { statements, queued };

  for (const issue of active) {
    if (heldBy(issue)) continue; // flapping, or a symptom of another issue (diagnose.ts)
    const attempts = ctx.attempts.filter((a) => a.issueId === issue.id);
    const step = nextRecoveryStep({
      actions: issue.actions,
      attempts: attempts.map((a) => ({
        action: a.action,
        status: a.status,
        finishedAt: a.finishedAt ?? undefined,
      })),
      maxAttempts: recovery.max_attempts,
      now,
      verifyWindowMs: verifyWindowMs(monitoring.interval),
    });
    if (step.kind === "escalate") {
      issue.status = "escalated";
      issue.escalatedAt ??= now;
    } else if (step.kind === "run" && recovery.require_confirmation) {
      if (issue.status !== "escalated") issue.status = "awaiting_approval";
    } else if (step.kind === "run") {
      const { command, statements: queue } = queueCommand(db, {
        orgId: ctx.orgId,
        hostId: ctx.host.id,
        issueId: issue.id,
        action: step.action,
        target: commandTarget(issue.target),
        trigger: "auto",
        now,
        delivered: true,
      });
      statements.push(...queue);
      statements.push(
        notifyStatement(db, {
          ...{ orgId: ctx.orgId, issueId: issue.id, event: "recovery_started", now, commandId: command.id },
          detail: { action: step.action, trigger: "auto" },
        }),
      );
      queued.push(command);
      issue.status = "recovering";
    }
  }
  return { statements, queued };
}
