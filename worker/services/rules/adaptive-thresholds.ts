import {
  type AlertThresholds,
  applySuggested,
  boundsFor,
  type HostEngineState,
  suggestThresholds,
} from "../../../agent/engine";
import type { Db } from "../../db/client";
import { hosts } from "../../db/schema";
import type { Env } from "../../env";
import { notFound } from "../../lib/errors";
import { hostObject, unwrap } from "../../objects/host/stub";
import type { HealingConfig } from "../../schemas/config";
import { configQuery, resolveConfig } from "../config/healing-config";
import { hostScope, scopeLayersQuery, storedRules, storedRulesQuery } from "../config/scope/load";
import { hostRef } from "../fleet/host-ref";

/** The host's config with auto mode applied: its thresholds follow its baseline within the bounds. */
export function adaptiveConfig(
  config: HealingConfig,
  state: HostEngineState | null | undefined,
): HealingConfig {
  const adaptive = config.monitoring.adaptive_thresholds;
  if (adaptive?.mode !== "auto") return config;
  const org = config.monitoring.alert_thresholds;
  const { thresholds } = suggestThresholds(state?.series, org);
  if (Object.keys(thresholds).length === 0) return config;
  const applied = applySuggested(org, thresholds, adaptive.bounds);
  return { ...config, monitoring: { ...config.monitoring, alert_thresholds: applied } };
}

export async function hostThresholds(db: Db, env: Pick<Env, "HOST">, orgId: string, idOrName: string) {
  const [host] = await db
    .select({ id: hosts.id, name: hosts.name })
    .from(hosts)
    .where(hostRef(orgId, idOrName))
    .limit(1);
  if (!host) throw notFound("host");
  const [settingsRows, ruleRows, layers] = await db.batch([
    configQuery(db, orgId),
    storedRulesQuery(db, orgId),
    scopeLayersQuery(db, orgId, host.id),
  ]);
  const scope = hostScope(resolveConfig(settingsRows[0]?.config), storedRules(ruleRows), layers);
  const org: AlertThresholds = scope.config.monitoring.alert_thresholds;
  const adaptive = scope.config.monitoring.adaptive_thresholds;
  // the baselines live in the host's object with the rest of its engine state
  const series = unwrap(await hostObject(env, host.id).baselines(orgId, host.id)) ?? undefined;
  const suggestion = suggestThresholds(series, org);
  return {
    hostId: host.id,
    host: host.name,
    mode: adaptive?.mode ?? "suggest",
    org,
    suggested: suggestion.thresholds,
    applied: adaptiveConfig(scope.config, series && { v: 1, tracks: {}, series }).monitoring.alert_thresholds,
    bounds: boundsFor(org, adaptive?.bounds),
    basis: suggestion.basis,
  };
}
