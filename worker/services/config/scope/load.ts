/**
 * Reading a host's scope: its group's and its own overrides, and the org's rules and config
 * resolved through them. Queries are handed back unrun so callers put them in their own batch
 * (the host object's context load reads them with the rest, once per refresh, never per report).
 */
import { and, eq, or } from "drizzle-orm";
import type { Rule } from "../../../../agent/engine";
import type { Db } from "../../../db/client";
import { hosts, rules, scopeOverrides } from "../../../db/schema";
import type { HealingConfig } from "../../../schemas/config";
import { ruleIdOf, rulesFor, type StoredRule } from "../../rules/effective";
import { type ScopeLayer, scopedConfig, scopedRules } from "./resolve";

export const storedRulesQuery = (db: Db, orgId: string) =>
  db
    .select({ id: rules.id, definition: rules.definition, enabled: rules.enabled })
    .from(rules)
    .where(eq(rules.orgId, orgId));

type StoredRow = Awaited<ReturnType<typeof storedRulesQuery>>[number];
export const storedRules = (rows: StoredRow[]): StoredRule[] =>
  rows.map((r) => ({ ruleId: ruleIdOf(r.id), definition: r.definition, enabled: r.enabled }));

/** The host's own overrides and its group's (the group as D1 holds it now). */
export const scopeLayersQuery = (db: Db, orgId: string, hostId: string) =>
  db
    .select({
      kind: scopeOverrides.kind,
      key: scopeOverrides.key,
      thresholds: scopeOverrides.thresholds,
      rules: scopeOverrides.rules,
    })
    .from(scopeOverrides)
    .where(
      and(
        eq(scopeOverrides.orgId, orgId),
        or(
          and(eq(scopeOverrides.kind, "host"), eq(scopeOverrides.key, hostId)),
          and(
            eq(scopeOverrides.kind, "group"),
            eq(
              scopeOverrides.key,
              db
                .select({ group: hosts.group })
                .from(hosts)
                .where(and(eq(hosts.id, hostId), eq(hosts.orgId, orgId))),
            ),
          ),
        ),
      ),
    );

export interface HostScope {
  config: HealingConfig;
  stored: StoredRule[];
  rules: Rule[];
}

/** The org's config and rules as they apply to one host. */
export function hostScope(orgConfig: HealingConfig, orgRules: StoredRule[], layers: ScopeLayer[]): HostScope {
  const config = scopedConfig(orgConfig, layers);
  const stored = scopedRules(config, orgRules, layers);
  return { config, stored, rules: rulesFor(config, stored) };
}
