/** Everything a report needs, read in one batch. */
import { and, asc, eq, inArray, ne, sql } from "drizzle-orm";
import type { Rule, TargetFacts } from "../../../../agent/engine";
import type { Db } from "../../../db/client";
import { commands, hosts, issues, recoveryHistory, rules, serviceStates } from "../../../db/schema";
import { notFound } from "../../../lib/errors";
import type { HealingConfig } from "../../../schemas/config";
import { configQuery, resolveConfig } from "../../config/healing-config";
import { hostScope, scopeLayersQuery, storedRules } from "../../config/scope/load";
import { noiseCountsQuery, withNoise } from "../../issues/noise";
import type { Guardrails } from "../../recovery/guardrails";
import type { CommandRow } from "../../recovery/queue";
import type { StoredRule } from "../../rules/effective";

export type HostRow = typeof hosts.$inferSelect;
export type IssueRow = typeof issues.$inferSelect;
export type AttemptRow = Pick<
  typeof recoveryHistory.$inferSelect,
  "id" | "issueId" | "commandId" | "action" | "status" | "trigger" | "startedAt" | "finishedAt" | "verified"
>;
export type ServiceRow = Pick<typeof serviceStates.$inferSelect, "name" | "status" | "stopped" | "detail">;

export interface ReportContext {
  orgId: string;
  host: HostRow;
  /** The org's, with the host's group's and the host's own thresholds over it (scope/). */
  config: HealingConfig;
  /** Custom rules and built-in overrides, enabled or not (rules/store.ts), with the scope's patches. */
  customRules: StoredRule[];
  /** Issues of this host that are not resolved. */
  issues: IssueRow[];
  /** Their recovery attempts, oldest first. */
  attempts: AttemptRow[];
  /** Commands of this host still pending or delivered. */
  inflight: CommandRow[];
  services: ServiceRow[];
  /** The org's effective rules (rulesFor), when the caller keeps them built between reports. */
  rules?: Rule[];
  /** Loaded after the context by the report pipeline (recovery/guardrails.ts); absent: no guardrails. */
  guard?: Guardrails;
  /** What the target selectors read: this report's newest metrics, caches and the engine's trends. */
  targetFacts?: TargetFacts;
  /** The last output lines of down services, from this report (crash-loop evidence). */
  logTails?: Map<string, string[]>;
}

export async function loadReportContext(db: Db, orgId: string, hostId: string): Promise<ReportContext> {
  const unresolved = and(eq(issues.hostId, hostId), eq(issues.orgId, orgId), ne(issues.status, "resolved"));
  const [hostRows, settingsRows, ruleRows, issueRows, attemptRows, commandRows, serviceRows, layers, noise] =
    await db.batch([
      db
        .select()
        .from(hosts)
        .where(and(eq(hosts.id, hostId), eq(hosts.orgId, orgId))),
      configQuery(db, orgId),
      db
        .select({ id: rules.id, definition: rules.definition, enabled: rules.enabled })
        .from(rules)
        .where(eq(rules.orgId, orgId)),
      db.select().from(issues).where(unresolved),
      db
        .select({
          id: recoveryHistory.id,
          issueId: recoveryHistory.issueId,
          commandId: recoveryHistory.commandId,
          action: recoveryHistory.action,
          status: recoveryHistory.status,
          trigger: recoveryHistory.trigger,
          startedAt: recoveryHistory.startedAt,
          finishedAt: recoveryHistory.finishedAt,
          verified: recoveryHistory.verified,
        })
        .from(recoveryHistory)
        .where(
          and(
            eq(recoveryHistory.hostId, hostId),
            inArray(recoveryHistory.issueId, db.select({ id: issues.id }).from(issues).where(unresolved)),
          ),
        )
        .orderBy(asc(recoveryHistory.startedAt), asc(sql`${recoveryHistory}.rowid`)),
      db
        .select()
        .from(commands)
        .where(and(eq(commands.hostId, hostId), inArray(commands.status, ["pending", "delivered"])))
        .orderBy(asc(commands.createdAt)),
      db
        .select({
          name: serviceStates.name,
          status: serviceStates.status,
          stopped: serviceStates.stopped,
          detail: serviceStates.detail,
        })
        .from(serviceStates)
        .where(eq(serviceStates.hostId, hostId)),
      // the group's and the host's overrides (scope/): read with the rest, so once per refresh
      scopeLayersQuery(db, orgId, hostId),
      noiseCountsQuery(db, orgId, hostId),
    ]);
  const host = hostRows[0];
  if (!host) throw notFound("host");
  const scope = hostScope(resolveConfig(settingsRows[0]?.config), storedRules(ruleRows), layers);
  return {
    orgId,
    host,
    config: scope.config,
    // operators' noise marks raise their rules' bars on this host
    customRules: withNoise(scope.config, scope.stored, noise),
    issues: issueRows,
    attempts: attemptRows,
    inflight: commandRows,
    services: serviceRows,
  };
}
