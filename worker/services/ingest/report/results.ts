/**
 * Command results, timeouts and expiry for one host. Results for unknown commands, other hosts'
 * commands or commands already finished are ignored, so a re-sent report changes nothing.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { CommandResult } from "../../../../agent/protocol";
import type { Db, Statement } from "../../../db/client";
import { type CommandStatus, commands, type HistoryStatus, recoveryHistory } from "../../../db/schema";
import { notifyStatement } from "../../notify/outbox";
import { type CommandRow, RESULT_TIMEOUT_MS } from "../../recovery/queue";
import { audit } from "../../tenancy/audit";
import { redeliverable } from "../agent-commands";
import type { AttemptRow } from "./load";

interface Outcome {
  status: CommandStatus;
  finishedAt: number;
  exitCode: number | null;
  output: string | null;
  durationMs: number | null;
}

export interface ResultsApplied {
  statements: Statement[];
  /** Pending commands to hand to the agent now. */
  deliverable: CommandRow[];
}

/** Mutates `attempts` in place so the recovery planner sees this report's outcomes. */
export function applyResults(
  db: Db,
  hostId: string,
  inflight: CommandRow[],
  attempts: AttemptRow[],
  results: CommandResult[],
  now: number,
): ResultsApplied {
  const byId = new Map(inflight.map((c) => [c.id, c]));
  const outcomes = new Map<string, Outcome>();
  for (const r of results) {
    if (!byId.has(r.commandId) || outcomes.has(r.commandId)) continue;
    // Agents before exactly-once commands answer a re-delivered id so; the real outcome is on its way.
    if (r.status === "refused" && r.output === "duplicate command") continue;
    // The agent's clock may run ahead; a result never finishes after it was received.
    const finishedAt = Math.min(Date.parse(r.finishedAt), now);
    outcomes.set(r.commandId, {
      status: r.status,
      finishedAt,
      exitCode: r.exitCode ?? null,
      output: r.output,
      durationMs: r.durationMs,
    });
  }
  const deliverable: CommandRow[] = [];
  for (const c of inflight) {
    if (outcomes.has(c.id)) continue;
    const blank = { finishedAt: now, exitCode: null, output: null, durationMs: null };
    if (c.status === "delivered" && (c.deliveredAt ?? c.createdAt) <= now - RESULT_TIMEOUT_MS) {
      outcomes.set(c.id, { status: "timed_out", ...blank });
    } else if (c.status === "pending" && c.expiresAt <= now) {
      outcomes.set(c.id, { status: "expired", ...blank });
    } else if (c.status === "pending" || redeliverable(c, now)) {
      deliverable.push(c);
    }
  }

  const statements: Statement[] = [];
  const attemptByCommand = new Map(attempts.map((a) => [a.commandId, a]));
  for (const [id, outcome] of outcomes) {
    statements.push(
      db
        .update(commands)
        .set(outcome)
        .where(
          and(
            eq(commands.id, id),
            eq(commands.hostId, hostId),
            inArray(commands.status, ["pending", "delivered"]),
          ),
        ),
    );
    const done = byId.get(id);
    const what = `${done?.action} ${done?.target ?? ""}: ${outcome.status}`;
    if (done) statements.push(audit(db, done.orgId, "command.result", id, what, outcome.status, now));
    const historyStatus: HistoryStatus =
      outcome.status === "expired" ? "timed_out" : (outcome.status as HistoryStatus);
    if (byId.get(id)?.kind !== "recovery") continue;
    statements.push(
      db
        .update(recoveryHistory)
        .set({ ...outcome, status: historyStatus })
        .where(
          and(
            eq(recoveryHistory.commandId, id),
            eq(recoveryHistory.hostId, hostId),
            eq(recoveryHistory.status, "pending"),
          ),
        ),
    );
    const command = byId.get(id);
    if (command?.issueId) {
      const event = historyStatus === "succeeded" ? "recovery_succeeded" : "recovery_failed";
      const { orgId, issueId, action } = command;
      const detail = { action, status: historyStatus, exitCode: outcome.exitCode, output: outcome.output };
      statements.push(notifyStatement(db, { orgId, issueId, event, now, commandId: id, detail }));
    }
    const attempt = attemptByCommand.get(id);
    if (attempt) Object.assign(attempt, { status: historyStatus, finishedAt: outcome.finishedAt });
  }
  return { statements, deliverable };
}
