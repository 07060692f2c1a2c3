/** Database rows to the API's camelCase / ISO shapes (docs/api-shapes.md). */
import type { issues, recoveryHistory } from "../../db/schema";
import { iso, isoOrNull } from "../../lib/time";
import type { HealingConfig } from "../../schemas/config";
import type { HistoryEntry, Issue } from "../../schemas/issues";
import { DEFAULT_CONFIG } from "../config/healing-config";
import { diagnosticsOf, type Related } from "./explain";

type IssueRow = typeof issues.$inferSelect;
type HistoryRow = typeof recoveryHistory.$inferSelect;

/** `config` and `related` (the incident's other open issues) feed the explanation's plan and incident. */
export function issueView(
  row: IssueRow,
  host: string,
  attempts: number,
  config: HealingConfig = DEFAULT_CONFIG,
  related: Related[] = [],
  fleetCause: string | null = null,
): Issue {
  return {
    id: row.id,
    hostId: row.hostId,
    host,
    rule: row.ruleId,
    ruleName: row.ruleName,
    target: row.target || null,
    severity: row.severity,
    status: row.status,
    summary: row.summary,
    evidence: row.evidence,
    actions: row.actions,
    attempts,
    detectedAt: iso(row.detectedAt),
    resolvedAt: isoOrNull(row.resolvedAt),
    mttrSeconds: row.mttrSeconds,
    escalatedAt: isoOrNull(row.escalatedAt),
    respondBy: isoOrNull(row.respondBy),
    acknowledgedAt: isoOrNull(row.acknowledgedAt),
    acknowledgedBy: row.acknowledgedBy,
    source: row.source,
    fleetIncident: row.fleetIncidentId ? { id: row.fleetIncidentId, probableCause: fleetCause } : null,
    ...diagnosticsOf(row, attempts, config, related),
  };
}

export function historyView(row: HistoryRow, host: string): HistoryEntry {
  return {
    id: row.id,
    issueId: row.issueId,
    hostId: row.hostId,
    host,
    commandId: row.commandId,
    action: row.action,
    target: row.target || null,
    status: row.status,
    trigger: row.trigger,
    startedAt: iso(row.startedAt),
    finishedAt: isoOrNull(row.finishedAt),
    exitCode: row.exitCode,
    output: row.output,
    durationMs: row.durationMs,
    verified: row.verified,
  };
}
