/**
 * POST /api/healing/recover: a human runs (or approves) a recovery action for an issue.
 * "auto" takes the engine's next planned action, else the rule's first action.
 */
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { nextRecoveryStep } from "../../agent/engine";
import { type Db, runBatch } from "../db/client";
import { issues, recoveryHistory } from "../db/schema";
import { conflict, notFound } from "../lib/errors";
import { waitingFor } from "./approvals";
import { configQuery, resolveConfig } from "./config";
import { notifyStatement } from "./notify/outbox";
import { queueCommand } from "./recovery";
import { commandTarget } from "./report/diagnose";
import { chosenTarget, plannedActions, verifyWindowMs } from "./report/plan";

export async function manualRecover(db: Db, orgId: string, issueId: string, requested: string) {
  const [issueRows, attemptRows, settingsRows] = await db.batch([
    db
      .select()
      .from(issues)
      .where(and(eq(issues.id, issueId), eq(issues.orgId, orgId))),
    db
      .select({
        action: recoveryHistory.action,
        status: recoveryHistory.status,
        finishedAt: recoveryHistory.finishedAt,
      })
      .from(recoveryHistory)
      .where(and(eq(recoveryHistory.issueId, issueId), eq(recoveryHistory.orgId, orgId)))
      .orderBy(asc(recoveryHistory.startedAt), asc(sql`${recoveryHistory}.rowid`)),
    configQuery(db, orgId),
  ]);
  const issue = issueRows[0];
  if (!issue) throw notFound("issue");
  if (issue.status === "resolved") throw conflict("the issue is already resolved");

  const now = Date.now();
  let action = requested;
  if (requested === "auto") {
    const config = resolveConfig(settingsRows[0]?.config);
    const actions = plannedActions(issue.evidence) ?? issue.actions;
    const step = nextRecoveryStep({
      actions,
      attempts: attemptRows.map((a) => ({ ...a, finishedAt: a.finishedAt ?? undefined })),
      maxAttempts: config.recovery.max_attempts,
      now,
      verifyWindowMs: verifyWindowMs(config.monitoring.interval, config.recovery.verify_scale),
    });
    const planned = step.kind === "run" ? step.action : actions[0];
    if (!planned) throw conflict(`rule ${issue.ruleId} names no recovery action: name one in "action"`);
    action = planned;
  }

  const target = chosenTarget(issue.evidence, action) ?? commandTarget(issue.target);
  // A command already waiting for approval for this issue: this call approves it.
  const waiting = await waitingFor(db, orgId, issueId, requested === "auto" ? null : action);
  if (waiting) return { ...waiting, issueId, hostId: issue.hostId, status: "pending" as const };
  const { command, statements } = queueCommand(db, {
    orgId,
    hostId: issue.hostId,
    issueId,
    action,
    target,
    trigger: "manual",
    now,
  });
  const markRecovering = db
    .update(issues)
    .set({ status: "recovering", updatedAt: now })
    .where(and(eq(issues.id, issueId), eq(issues.orgId, orgId), ne(issues.status, "resolved")));
  const started = notifyStatement(db, {
    ...{ orgId, issueId, event: "recovery_started", now, commandId: command.id },
    detail: { action, trigger: "manual" },
  });
  await runBatch(db, [markRecovering, ...statements, started]);
  return { commandId: command.id, issueId, hostId: issue.hostId, action, target, status: "pending" as const };
}
