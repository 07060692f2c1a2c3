/**
 * POST /api/v1/hosts/{id}/actions: a person runs one of the agent's actions on a host (the
 * dashboard's emergency protocols). Every attempt belongs to an issue (recovery_history.issue_id),
 * and an issue is what people watch and get notified about, so the request opens one: source
 * "operator", rule `operator:<action>` (no rule id can hold a colon), which report reconciliation
 * leaves alone and the command's result settles (settle.ts). The command takes the safeguards
 * every path takes (safeguards.ts); on top, every host action is an emergency protocol, so all of
 * them are refused while recovery.emergency_shutdown is false.
 */
import { and, eq, ne } from "drizzle-orm";
import { type Db, runBatch, type Statement } from "../../../db/client";
import { hosts, issues } from "../../../db/schema";
import type { Principal } from "../../../env";
import { conflict, notFound } from "../../../lib/errors";
import { newId } from "../../../lib/ids";
import type { HostAction, HostActionRequest } from "../../../schemas/host-actions";
import { configQuery, resolveConfig } from "../../config/healing-config";
import { hostRef } from "../../fleet/host-ref";
import { requireCapability } from "../../ingest/capabilities";
import { notifyStatement } from "../../notify/outbox";
import { type CommandRow, queueCommand } from "../queue";
import { decideAction, requesterOf } from "../safeguards";

type IssueRow = typeof issues.$inferSelect;

export const operatorRuleId = (action: string) => `operator:${action}`;

export async function runHostAction(
  db: Db,
  principal: Principal,
  idOrName: string,
  input: HostActionRequest,
): Promise<HostAction & { command: CommandRow }> {
  const { orgId } = principal;
  const [hostRows, settingsRows] = await db.batch([
    db
      .select({ id: hosts.id, name: hosts.name, facts: hosts.facts })
      .from(hosts)
      .where(hostRef(orgId, idOrName))
      .limit(1),
    configQuery(db, orgId),
  ]);
  const host = hostRows[0];
  if (!host) throw notFound("host");
  const config = resolveConfig(settingsRows[0]?.config);
  if (!config.recovery.emergency_shutdown)
    throw conflict("emergency protocols are turned off (recovery.emergency_shutdown is false)");

  const ruleId = operatorRuleId(input.action);
  const target = input.target ?? "";
  requireCapability(host.facts.capabilities, host.name, input.action, target || null);
  const [existing] = await db
    .select()
    .from(issues)
    .where(
      and(
        eq(issues.orgId, orgId),
        eq(issues.hostId, host.id),
        eq(issues.ruleId, ruleId),
        eq(issues.target, target),
        ne(issues.status, "resolved"),
      ),
    );
  // One at a time per host + action + target; an escalated one (it failed) may be tried again.
  if (existing && existing.status !== "escalated")
    throw conflict(
      `${input.action} is already under way on ${host.name}: issue ${existing.id} is ${existing.status}`,
    );

  const now = Date.now();
  const severity = input.severity ?? (input.action === "emergency_shutdown" ? "critical" : "high");
  const decision = decideAction(config.recovery, { action: input.action, severity, rule: { id: ruleId } });
  if (decision.refused !== null) throw conflict(decision.refused);
  const awaiting = decision.approval !== null;
  const status = awaiting ? "awaiting_approval" : "recovering";
  const on = target ? ` on ${target}` : "";
  const fields = {
    status,
    summary: `${input.action}${on} asked for by ${principal.name}: ${input.reason}`,
    evidence: {
      operator: principal.name,
      reason: input.reason,
      action: input.action,
      target: target || null,
    },
    escalatedAt: null,
    updatedAt: now,
    recoveryHold: "operator action: its command's result settles it",
  } as const;
  const issue: IssueRow = {
    ...(existing ?? newOperatorIssue(orgId, host.id, input, severity, now)),
    ...fields,
  };

  const statements: Statement[] = [
    existing
      ? db
          .update(issues)
          .set(fields)
          .where(and(eq(issues.id, issue.id), eq(issues.orgId, orgId), eq(issues.status, "escalated")))
      : db.insert(issues).values(issue),
  ];
  const { command, statements: queue } = queueCommand(db, {
    orgId,
    hostId: host.id,
    issueId: issue.id,
    action: input.action,
    target: target || null,
    trigger: "manual",
    now,
    approval: decision.approval,
    requester: requesterOf(principal),
  });
  statements.push(...queue);
  const event = { orgId, issueId: issue.id, now };
  if (!existing) statements.push(notifyStatement(db, { ...event, event: "opened" }));
  statements.push(
    awaiting
      ? notifyStatement(db, { ...event, event: "awaiting_approval", commandId: command.id })
      : notifyStatement(db, {
          ...{ ...event, event: "recovery_started", commandId: command.id },
          detail: { action: input.action, trigger: "manual" },
        }),
  );
  try {
    await runBatch(db, statements);
  } catch (err) {
    // Two requests racing past the check above: the unresolved-issue unique index keeps one.
    if (/UNIQUE constraint/i.test(String(err)))
      throw conflict(`${input.action} is already under way on ${host.name}`);
    throw err;
  }
  return {
    issueId: issue.id,
    issueStatus: status,
    commandId: command.id,
    commandStatus: command.status,
    hostId: host.id,
    host: host.name,
    action: input.action,
    target: target || null,
    reason: input.reason,
    // the row as written, for the wake-up to hand to the host's object (not in the answer)
    command,
  };
}

function newOperatorIssue(
  orgId: string,
  hostId: string,
  input: HostActionRequest,
  severity: IssueRow["severity"],
  now: number,
): IssueRow {
  return {
    id: newId("iss"),
    orgId,
    hostId,
    ruleId: operatorRuleId(input.action),
    ruleName: `Operator: ${input.action}`,
    target: input.target ?? "",
    severity,
    status: "recovering",
    summary: "",
    evidence: {},
    actions: [input.action],
    detectedAt: now,
    resolvedAt: null,
    mttrSeconds: null,
    escalatedAt: null,
    updatedAt: now,
    flapping: false,
    incidentKey: null,
    cause: true,
    ruleKind: "operator",
    ruleCondition: "asked for by a person",
    recoveryHold: null,
    respondBy: null,
    breachedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    source: "operator",
    fleetIncidentId: null,
  };
}
