/**
 * The recovery queue: a command for an agent, and (for recovery actions) the history row that
 * follows it. Used by the report pipeline (automatic), POST /recover (manual) and health checks.
 */
import type { Command } from "../../../agent/protocol";
import type { Db, Statement } from "../../db/client";
import { commands, recoveryHistory, type Trigger } from "../../db/schema";
import { newId } from "../../lib/ids";
import { iso, MINUTE } from "../../lib/time";
import { audit } from "../tenancy/audit";
import { isEdgeAction } from "./action-webhooks/run";
import type { Approval, Requester } from "./safeguards";

/** A queued command the agent does not pick up within this long expires. */
export const COMMAND_TTL_MS = 5 * MINUTE;
/** A delivered command without a result after this long has timed out. */
export const RESULT_TIMEOUT_MS = 2 * MINUTE;
/** A command awaiting a human's approval expires after this long. */
export const APPROVAL_TTL_MS = 30 * MINUTE;

export type CommandRow = typeof commands.$inferSelect;

export interface QueueInput {
  orgId: string;
  hostId: string;
  issueId: string | null;
  action: string;
  target: string | null;
  trigger: Trigger;
  now: number;
  /** Queued inside a report: handed to the agent in that same response. */
  delivered?: boolean;
  /**
   * The approval it waits for (safeguards.decideAction): it waits for POST
   * /api/v1/commands/{id}/approve before any agent sees it. Absent or null: none.
   */
  approval?: Approval | null;
  /** Who asked for it (absent: the engine). */
  requester?: Requester;
}

export function queueCommand(db: Db, input: QueueInput): { command: CommandRow; statements: Statement[] } {
  const kind = input.issueId ? "recovery" : "health_check";
  const edge = isEdgeAction(input.action);
  const awaiting = Boolean(input.approval);
  const command: CommandRow = {
    id: newId("cmd"),
    orgId: input.orgId,
    hostId: input.hostId,
    issueId: input.issueId,
    kind,
    action: input.action,
    target: input.target,
    params: null,
    // An edge action (webhook:<name>) is the Worker's to run: never pending for an agent.
    status: awaiting ? "awaiting_approval" : input.delivered || edge ? "delivered" : "pending",
    trigger: input.trigger,
    createdAt: input.now,
    expiresAt: input.now + (awaiting ? APPROVAL_TTL_MS : COMMAND_TTL_MS),
    deliveredAt: (input.delivered || edge) && !awaiting ? input.now : null,
    finishedAt: null,
    exitCode: null,
    output: null,
    durationMs: null,
    requestedBy: input.requester?.id ?? null,
    requesterName: input.requester?.name ?? null,
    approval: input.approval ?? null,
    approvedBy: null,
  };
  const statements: Statement[] = [db.insert(commands).values(command)];
  if (input.issueId) {
    statements.push(
      db.insert(recoveryHistory).values({
        id: newId("rec"),
        orgId: input.orgId,
        hostId: input.hostId,
        issueId: input.issueId,
        commandId: command.id,
        action: input.action,
        target: input.target,
        status: "pending",
        trigger: input.trigger,
        startedAt: input.now,
      }),
    );
  }
  const what = `${input.trigger} ${input.action} ${input.target ?? ""}: ${command.status}`;
  statements.push(audit(db, input.orgId, "command.queue", command.id, what, "ok", input.now));
  return { command, statements };
}

/** The wire form of a command (protocol `commandSchema`). */
export function toWireCommand(
  row: Pick<CommandRow, "id" | "action" | "target" | "params" | "issueId" | "expiresAt">,
): Command {
  return {
    id: row.id,
    action: row.action,
    ...(row.target ? { target: row.target } : {}),
    ...(row.params ? { params: row.params } : {}),
    issueId: row.issueId,
    expiresAt: iso(row.expiresAt),
  };
}
