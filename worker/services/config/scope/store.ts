/**
 * The overrides of host groups and hosts: list, set (replace), delete. A write is checked against
 * what it lands on: the host exists, every rule it names is one of the org's, and the thresholds it
 * would give (over the org's, and its group's for a host) keep warning <= critical.
 */
import { and, asc, eq } from "drizzle-orm";
import type { AlertThresholds } from "../../../../agent/protocol";
import { type Db, runBatch } from "../../../db/client";
import { hosts, type ScopeKind, scopeOverrides } from "../../../db/schema";
import { ApiError, type FieldIssue, notFound } from "../../../lib/errors";
import { iso } from "../../../lib/time";
import type { scopeBodySchema } from "../../../schemas/scope";
import { hostRef } from "../../fleet/host-ref";
import { effectiveRules } from "../../rules/effective";
import { audit, auditIf } from "../../tenancy/audit";
import { configQuery, resolveConfig } from "../healing-config";
import { storedRules, storedRulesQuery } from "./load";
import { type ScopeLayer, scopedConfig } from "./resolve";

type Body = ReturnType<typeof scopeBodySchema.parse>;
type Row = typeof scopeOverrides.$inferSelect;

const view = (r: Row) => ({
  kind: r.kind,
  key: r.key,
  thresholds: r.thresholds,
  rules: r.rules,
  updatedAt: iso(r.updatedAt),
});

export async function listScopes(db: Db, orgId: string) {
  const rows = await db
    .select()
    .from(scopeOverrides)
    .where(eq(scopeOverrides.orgId, orgId))
    .orderBy(asc(scopeOverrides.kind), asc(scopeOverrides.key));
  return rows.map(view);
}

/** A host is keyed by its id; the path may name it by id or name. */
async function keyOf(db: Db, orgId: string, kind: ScopeKind, key: string) {
  if (kind === "group") return { key, group: key };
  const [host] = await db
    .select({ id: hosts.id, group: hosts.group })
    .from(hosts)
    .where(hostRef(orgId, key))
    .limit(1);
  if (!host) throw notFound("host");
  return { key: host.id, group: host.group };
}

const PAIRS = [
  ["cpu_warning", "cpu_critical"],
  ["memory_warning", "memory_critical"],
  ["disk_warning", "disk_critical"],
] as const;

export async function putScope(db: Db, orgId: string, kind: ScopeKind, rawKey: string, body: Body) {
  const { key, group } = await keyOf(db, orgId, kind, rawKey);
  const [settingsRows, ruleRows, groupRows] = await db.batch([
    configQuery(db, orgId),
    storedRulesQuery(db, orgId),
    db
      .select()
      .from(scopeOverrides)
      .where(
        and(
          eq(scopeOverrides.orgId, orgId),
          eq(scopeOverrides.kind, "group"),
          eq(scopeOverrides.key, group ?? ""),
        ),
      ),
  ]);
  const config = resolveConfig(settingsRows[0]?.config);
  const issues: FieldIssue[] = [];
  const known = new Set(effectiveRules(config, storedRules(ruleRows)).map((e) => e.rule.id));
  for (const ruleId of Object.keys(body.rules))
    if (!known.has(ruleId))
      issues.push({ path: `rules.${ruleId}`, message: `no rule ${ruleId} in this org` });
  const layers: ScopeLayer[] = kind === "host" && groupRows[0] ? [groupRows[0]] : [];
  const t: AlertThresholds = scopedConfig(config, [
    ...layers,
    { kind, key, thresholds: body.thresholds, rules: {} },
  ]).monitoring.alert_thresholds;
  for (const [warning, critical] of PAIRS)
    if (t[warning] > t[critical])
      issues.push({
        path: `thresholds.${warning}`,
        message: `${warning} (${t[warning]}) must not be above ${critical} (${t[critical]}) at this level`,
      });
  if (issues.length > 0)
    throw new ApiError("BAD_REQUEST", `invalid scope: ${issues.map((i) => i.path).join(", ")}`, issues);

  const now = Date.now();
  const values = { thresholds: body.thresholds, rules: body.rules, updatedAt: now };
  await runBatch(db, [
    db
      .insert(scopeOverrides)
      .values({ orgId, kind, key, ...values })
      .onConflictDoUpdate({
        target: [scopeOverrides.orgId, scopeOverrides.kind, scopeOverrides.key],
        set: values,
      }),
    audit(db, orgId, "scope.put", `${kind}:${key}`, `overrides of ${kind} ${rawKey} set`),
  ]);
  return view({ orgId, kind, key, ...values });
}

export async function deleteScope(db: Db, orgId: string, kind: ScopeKind, rawKey: string) {
  const key = kind === "host" ? (await keyOf(db, orgId, kind, rawKey)).key : rawKey;
  const where = and(
    eq(scopeOverrides.orgId, orgId),
    eq(scopeOverrides.kind, kind),
    eq(scopeOverrides.key, key),
  );
  const found = db.select({ key: scopeOverrides.key }).from(scopeOverrides).where(where);
  const [, gone] = await runBatch(db, [
    auditIf(found, orgId, "scope.delete", `${kind}:${key}`, `overrides of ${kind} ${rawKey} removed`),
    db.delete(scopeOverrides).where(where),
  ]);
  if (gone.meta.changes === 0) throw notFound(`overrides of ${kind} ${rawKey}`);
}
