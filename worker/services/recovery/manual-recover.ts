/**
 * POST /api/healing/recover: a human runs (or approves) a recovery action for an issue.
 * "auto" takes the engine's next planned action, else the rule's first action. The action takes
 * the safeguards every path takes (safeguards.ts): refused, or queued awaiting approval, as the
 * policy says; approving a waiting one is refused to its own requester when it needs a second person.
 */
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { ACTION_TARGETS, nextRecoveryStep, WEBHOOK_PREFIX } from "../../../agent/engine";
import { type Db, runBatch } from "../../db/client";
import { hosts, issues, recoveryHistory } from "../../db/schema";
import type { Principal } from "../../env";
import { ApiError, conflict, notFound } from "../../lib/errors";
import { configQuery, resolveConfig } from "../config/healing-config";
import { hostScope, scopeLayersQuery, storedRules, storedRulesQuery } from "../config/scope/load";
import { requireCapability } from "../ingest/capabilities";
import { commandTarget } from "../ingest/report/diagnose";
import { chosenTarget, plannedActions, verifyWindowMs } from "../ingest/report/plan";
import { notifyStatement } from "../notify/outbox";
import { waitingFor } from "./approvals";
import { queueCommand } from "./queue";
import { decideAction, requesterOf } from "./safeguards";

export async function manualRecover(db: Db, principal: Principal, issueId: string, requested: string) {
  const { orgId } = principal;
  const [issueRows, attemptRows, settingsRows, ruleRows, hostRows] = await db.batch([
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
    storedRulesQuery(db, orgId),
    db
      .select({ name: hosts.name, facts: hosts.facts })
      .from(hosts)
      .innerJoin(issues, eq(issues.hostId, hosts.id))
      .where(and(eq(issues.id, issueId), eq(hosts.orgId, orgId))),
  ]);
  const issue = issueRows[0];
  if (!issue) throw notFound("issue");
  if (issue.status === "resolved") throw conflict("the issue is already resolved");

  const now = Date.now();
  const config = resolveConfig(settingsRows[0]?.config);
  let action = requested;
  if (requested === "auto") {
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

  if (!(action in ACTION_TARGETS) && !action.startsWith(WEBHOOK_PREFIX))
    throw new ApiError("BAD_REQUEST", "invalid request: action", [
      { path: "action", message: `${action} is not an agent action or webhook:<name>` },
    ]);
  // the rule as it applies to this host (a group or the host may ask for confirmation)
  const layers = await scopeLayersQuery(db, orgId, issue.hostId);
  const rule = hostScope(config, storedRules(ruleRows), layers).rules.find((r) => r.id === issue.ruleId);
  const decision = decideAction(config.recovery, { action, severity: issue.severity, rule });
  if (decision.refused !== null) throw conflict(decision.refused);

  const target = chosenTarget(issue.evidence, action) ?? commandTarget(issue.target);
  const host = hostRows[0];
  if (host) requireCapability(host.facts.capabilities, host.name, action, target);
  // A command already waiting for approval for this issue: this call approves it.
  const waiting = await waitingFor(db, principal, issueId, requested === "auto" ? null : action);
  if (waiting) return { ...waiting, issueId, hostId: issue.hostId, status: "pending" as const };
  const awaiting = decision.approval !== null;
  const { command, statements } = queueCommand(db, {
    orgId,
    hostId: issue.hostId,
    issueId,
    action,
    target,
    trigger: "manual",
    now,
    approval: decision.approval,
    requester: requesterOf(principal),
  });
  const status = awaiting ? "awaiting_approval" : "recovering";
  const mark = db
    .update(issues)
    .set({ status, updatedAt: now })
    .where(and(eq(issues.id, issueId), eq(issues.orgId, orgId), ne(issues.status, "resolved")));
  const event = { orgId, issueId, now, commandId: command.id };
  const told = awaiting
    ? notifyStatement(db, { ...event, event: "awaiting_approval" })
    : notifyStatement(db, { ...event, event: "recovery_started", detail: { action, trigger: "manual" } });
  await runBatch(db, [mark, ...statements, told]);
  const queued = awaiting ? ("awaiting_approval" as const) : ("pending" as const);
  // `command`: the row as written, for the wake-up to hand to the host's object (not in the answer)
  return { commandId: command.id, issueId, hostId: issue.hostId, action, target, status: queued, command };
}
