/**
 * Restarts the agent did on its own while cut off from the edge (local autonomy) come back as
 * results with commandId `local-<uuid>` and output `local autonomy: restart_service <svc> (...)`.
 * They become recovery_history rows with trigger "local", attached to the open issue of that
 * service when there is one, once per id (the unique command id makes a re-sent report a no-op).
 */
import type { CommandResult } from "../../../../agent/protocol";
import type { Db, Statement } from "../../../db/client";
import { type HistoryStatus, recoveryHistory } from "../../../db/schema";
import { newId } from "../../../lib/ids";
import { commandTarget } from "./diagnose";
import type { ReportContext } from "./load";

export const LOCAL_PREFIX = "local-";
const HEAD = /^local autonomy: ([a-z][a-z0-9_]*) (\S+)/;

/** Mutates ctx.attempts so the planner verifies the local restart instead of queueing another. */
export function localResults(db: Db, ctx: ReportContext, results: CommandResult[], now: number): Statement[] {
  const statements: Statement[] = [];
  const seen = new Set(ctx.attempts.map((a) => a.commandId));
  for (const r of results) {
    if (!r.commandId.startsWith(LOCAL_PREFIX) || seen.has(r.commandId)) continue;
    seen.add(r.commandId);
    const [, action = "restart_service", service = null] = HEAD.exec(r.output.split("\n")[0]) ?? [];
    const issue = ctx.issues.find((i) => service !== null && commandTarget(i.target) === service);
    const finishedAt = Math.min(Date.parse(r.finishedAt), now);
    const row = {
      id: newId("rec"),
      orgId: ctx.orgId,
      hostId: ctx.host.id,
      // No open issue for it (it may have cleared before the edge heard): kept, unattached.
      issueId: issue?.id ?? "",
      commandId: r.commandId,
      action,
      target: service,
      status: r.status as HistoryStatus,
      trigger: "local" as const,
      startedAt: finishedAt - r.durationMs,
      finishedAt,
      exitCode: r.exitCode ?? null,
      output: r.output,
      durationMs: r.durationMs,
    };
    statements.push(db.insert(recoveryHistory).values(row).onConflictDoNothing());
    if (issue) ctx.attempts.push({ ...row, verified: false });
  }
  return statements;
}
