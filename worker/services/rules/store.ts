/** Custom rules and built-in overrides of one org: create, read, replace, patch, delete, enable. */
import { and, eq, inArray } from "drizzle-orm";
import type { Rule } from "../../../agent/engine";
import { type Db, runBatch } from "../../db/client";
import { rules } from "../../db/schema";
import { ApiError, conflict, notFound } from "../../lib/errors";
import { parseRule } from "../../schemas/rules";
import { getConfig } from "../config/healing-config";
import { actionWebhookNames } from "../recovery/action-webhooks/store";
import { audit } from "../tenancy/audit";
import { type EffectiveRule, effectiveRules, rowId, ruleIdOf, ruleView, type StoredRule } from "./effective";

async function stored(db: Db, orgId: string): Promise<StoredRule[]> {
  const rows = await db.select().from(rules).where(eq(rules.orgId, orgId));
  return rows.map((r) => ({ ruleId: ruleIdOf(r.id), definition: r.definition, enabled: r.enabled }));
}

async function state(db: Db, orgId: string) {
  const [config, rows] = await Promise.all([getConfig(db, orgId), stored(db, orgId)]);
  return { rows, all: effectiveRules(config, rows) };
}

function find(all: EffectiveRule[], id: string): EffectiveRule {
  const found = all.find((e) => e.rule.id === id);
  if (!found) throw notFound(`rule ${id}`);
  return found;
}

/**
 * A built-in's override given a threshold without a clear threshold keeps the built-in's
 * hysteresis below (or above) the new threshold, rather than the old clear level that may now
 * sit on the wrong side of it.
 */
function withHysteresis(rule: Rule, current: Rule): Rule {
  if (rule.clearThreshold !== undefined || rule.threshold === undefined) return rule;
  if (current.threshold === undefined || current.clearThreshold === undefined) return rule;
  return { ...rule, clearThreshold: rule.threshold - (current.threshold - current.clearThreshold) };
}

/** The definition kept in a row: no id (the row key holds it), no derived flags. */
function definitionOf(rule: Partial<Rule>): Partial<Rule> {
  const { id: _id, builtin: _b, ...rest } = rule;
  return rest;
}

export async function listRules(db: Db, orgId: string) {
  return (await state(db, orgId)).all.map(ruleView);
}

export async function getRule(db: Db, orgId: string, id: string) {
  return ruleView(find((await state(db, orgId)).all, id));
}

/**
 * All or nothing: one batch, after checking that no id is taken or repeated. An id of a built-in
 * overrides it, as PUT would, so the seed's own diagnostic_rules document (whose cpu_spike is a
 * built-in here) can be posted as it stands.
 */
export async function createRules(db: Db, orgId: string, input: Rule[]) {
  const { all } = await state(db, orgId);
  const seen = new Set<string>();
  for (const rule of input) {
    const clash = all.find((e) => e.rule.id === rule.id);
    if ((clash && !clash.builtin) || seen.has(rule.id))
      throw conflict(`a rule with id ${rule.id} already exists`);
    seen.add(rule.id);
  }
  const builtins = new Map(all.filter((e) => e.builtin).map((e) => [e.rule.id, e.rule]));
  const now = Date.now();
  const statements = input.map((given) => {
    const current = builtins.get(given.id);
    const rule = current ? withHysteresis(given, current) : given;
    const row = {
      id: rowId(orgId, rule.id),
      orgId,
      definition: definitionOf(rule) as Rule,
      enabled: rule.enabled,
      createdAt: now,
      updatedAt: now,
    };
    if (!builtins.has(rule.id)) return db.insert(rules).values(row);
    const { definition, enabled } = row;
    return db
      .insert(rules)
      .values(row)
      .onConflictDoUpdate({ target: rules.id, set: { definition, enabled, updatedAt: now } });
  });
  try {
    const ids = input.map((r) => r.id);
    const target = ids.length === 1 ? ids[0] : null;
    const overridden = ids.filter((id) => builtins.has(id));
    const summary = `created ${ids.join(", ")}${overridden.length ? ` (overriding the built-in ${overridden.join(", ")})` : ""}`;
    const record = audit(db, orgId, "rule.create", target, summary);
    await runBatch(db, [...statements, record]);
  } catch (err) {
    // Another request created one of these ids in between: the primary key refused the batch.
    if (/UNIQUE|constraint/i.test(String(err))) throw conflict("a rule with one of these ids already exists");
    throw err;
  }
  const created = new Set(input.map((r) => r.id));
  return (await state(db, orgId)).all.filter((e) => created.has(e.rule.id)).map(ruleView);
}

async function save(
  db: Db,
  orgId: string,
  id: string,
  definition: Partial<Rule>,
  enabled: boolean,
  action = "rule.update",
) {
  const now = Date.now();
  const definitionJson = definition as Rule;
  const write = db
    .insert(rules)
    .values({
      id: rowId(orgId, id),
      orgId,
      definition: definitionJson,
      enabled,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({ target: rules.id, set: { definition: definitionJson, enabled, updatedAt: now } });
  const summary = `${action.slice(5)} rule ${id} (${enabled ? "enabled" : "disabled"})`;
  await runBatch(db, [write, audit(db, orgId, action, id, summary)]);
  return getRule(db, orgId, id);
}

/** PUT: a whole new definition (a built-in keeps its id and becomes overridden). */
export async function replaceRule(db: Db, orgId: string, id: string, body: Record<string, unknown>) {
  if (body.id !== undefined && body.id !== id)
    throw new ApiError("BAD_REQUEST", "invalid rule: id", [
      { path: "id", message: `must be ${id} (the path's id)` },
    ]);
  const [{ all }, webhooks] = await Promise.all([state(db, orgId), actionWebhookNames(db, orgId)]);
  const current = find(all, id);
  const parsed = parseRule({ ...body, id }, "", webhooks);
  const rule = current.builtin ? withHysteresis(parsed, current.rule) : parsed;
  return save(db, orgId, id, definitionOf(rule), rule.enabled);
}

/** PATCH: the given fields over the current rule, validated as a whole. */
export async function patchRule(db: Db, orgId: string, id: string, patch: Record<string, unknown>) {
  if (patch.id !== undefined && patch.id !== id)
    throw new ApiError("BAD_REQUEST", "invalid rule: id", [{ path: "id", message: "cannot be changed" }]);
  const [{ rows, all }, webhooks] = await Promise.all([state(db, orgId), actionWebhookNames(db, orgId)]);
  const current = find(all, id);
  const rule = parseRule({ ...definitionOf(current.rule), ...patch, id, builtin: undefined }, "", webhooks);
  // A built-in's override keeps only what was ever set on it, so config thresholds still flow in.
  const previous = rows.find((r) => r.ruleId === id)?.definition ?? {};
  const { id: _id, builtin: _b, overridden: _o, condition: _c, ...fields } = patch;
  const definition = current.builtin ? { ...previous, ...fields } : definitionOf(rule);
  delete (definition as Record<string, unknown>).enabled;
  return save(db, orgId, id, definition, rule.enabled);
}

export async function setRuleEnabled(db: Db, orgId: string, id: string, enabled: boolean) {
  const { rows, all } = await state(db, orgId);
  find(all, id);
  // A built-in without an override gets an empty one: only the switch is stored.
  const action = enabled ? "rule.enable" : "rule.disable";
  return save(db, orgId, id, rows.find((r) => r.ruleId === id)?.definition ?? {}, enabled, action);
}

/** A custom rule is deleted; a built-in loses its override (and is back to its default). */
export async function deleteRule(db: Db, orgId: string, id: string) {
  const { rows, all } = await state(db, orgId);
  const current = find(all, id);
  if (current.builtin && !rows.some((r) => r.ruleId === id))
    throw conflict(`${id} is a built-in rule and cannot be deleted: disable it instead`);
  await runBatch(db, [
    db.delete(rules).where(and(eq(rules.orgId, orgId), inArray(rules.id, [rowId(orgId, id)]))),
    audit(db, orgId, "rule.delete", id, current.builtin ? `override of ${id} removed` : `rule ${id} deleted`),
  ]);
  return current.builtin ? { id, deleted: false, restored: true } : { id, deleted: true, restored: false };
}
