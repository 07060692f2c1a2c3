import type { AlertThresholds } from "../../../../agent/protocol";
import type { Db } from "../../../db/client";
import { hosts } from "../../../db/schema";
import { notFound } from "../../../lib/errors";
import type { ScopeLevel } from "../../../schemas/scope";
import { hostRef } from "../../fleet/host-ref";
import { noiseCountsQuery, withNoise } from "../../issues/noise";
import { effectiveRules, ruleView } from "../../rules/effective";
import { configQuery, resolveConfig } from "../healing-config";
import { hostScope, scopeLayersQuery, storedRules, storedRulesQuery } from "./load";
import { ruleFieldLevels, thresholdLevels } from "./resolve";

export async function hostEffectiveConfig(db: Db, orgId: string, idOrName: string) {
  const [host] = await db
    .select({ id: hosts.id, name: hosts.name, group: hosts.group })
    .from(hosts)
    .where(hostRef(orgId, idOrName))
    .limit(1);
  if (!host) throw notFound("host");
  const [settingsRows, ruleRows, layers, noise] = await db.batch([
    configQuery(db, orgId),
    storedRulesQuery(db, orgId),
    scopeLayersQuery(db, orgId, host.id),
    noiseCountsQuery(db, orgId, host.id),
  ]);
  const explicit = settingsRows[0]?.config?.monitoring?.alert_thresholds as
    | Partial<AlertThresholds>
    | undefined;
  const orgRules = storedRules(ruleRows);
  const scope = hostScope(resolveConfig(settingsRows[0]?.config), orgRules, layers);
  const levels = thresholdLevels(explicit, layers);
  const t = scope.config.monitoring.alert_thresholds;
  const thresholds = Object.fromEntries(
    (Object.keys(levels) as (keyof AlertThresholds)[]).map((k) => [k, { value: t[k], setBy: levels[k] }]),
  );
  const inOrg = new Set(orgRules.map((r) => r.ruleId));
  // as the host's object resolves them: with operators' noise marks raising their rules' bars
  const rules = effectiveRules(scope.config, withNoise(scope.config, scope.stored, noise)).map((e) => {
    const fieldsSetBy = ruleFieldLevels(e.rule.id, layers);
    const scoped = Object.values(fieldsSetBy);
    const setBy: ScopeLevel = scoped.includes("host")
      ? "host"
      : scoped.includes("group")
        ? "group"
        : inOrg.has(e.rule.id) || !e.builtin
          ? "org"
          : "default";
    return { ...ruleView(e), overridden: e.builtin && inOrg.has(e.rule.id), setBy, fieldsSetBy };
  });
  return { hostId: host.id, host: host.name, group: host.group, thresholds, rules };
}
