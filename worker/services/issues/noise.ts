/**
 * Operators teach the diagnostics: marking an issue as noise raises its rule's bar on that host
 * (a longer hold, a wider band: agent/engine/diagnostics.ts raiseBar), and the explanation of the
 * rule's next finding there says so. Undo deletes the mark and the bar comes down again. Marks
 * are per host and rule; each built-in diagnostic rule watches one metric.
 */
import { and, count, eq } from "drizzle-orm";
import { raiseBar } from "../../../agent/engine";
import { type Db, runBatch } from "../../db/client";
import { issues, noiseMarks } from "../../db/schema";
import type { Principal } from "../../env";
import { conflict, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import type { HealingConfig } from "../../schemas/config";
import { effectiveRules, type StoredRule } from "../rules/effective";
import { audit } from "../tenancy/audit";

/** Marks per rule on one host (the report context reads it with the rest of its batch). */
export const noiseCountsQuery = (db: Db, orgId: string, hostId: string) =>
  db
    .select({ ruleId: noiseMarks.ruleId, marks: count() })
    .from(noiseMarks)
    .where(and(eq(noiseMarks.orgId, orgId), eq(noiseMarks.hostId, hostId)))
    .groupBy(noiseMarks.ruleId);

export type NoiseCounts = Awaited<ReturnType<typeof noiseCountsQuery>>;

/** The host's stored rules with each marked rule's raised bar as one more patch over it. */
export function withNoise(config: HealingConfig, stored: StoredRule[], counts: NoiseCounts): StoredRule[] {
  if (counts.length === 0) return stored;
  const rules = new Map(effectiveRules(config, stored).map((e) => [e.rule.id, e.rule]));
  const byId = new Map(stored.map((s) => [s.ruleId, s]));
  for (const { ruleId, marks } of counts) {
    const rule = rules.get(ruleId);
    if (!rule) continue;
    const raised = raiseBar(rule, marks);
    const patch = {
      durationSeconds: raised.durationSeconds,
      noise: raised.noise,
      ...(raised.factor !== undefined ? { factor: raised.factor } : {}),
    };
    const current = byId.get(ruleId) ?? { ruleId, definition: {}, enabled: rule.enabled };
    byId.set(ruleId, { ...current, definition: { ...current.definition, ...patch } });
  }
  return [...byId.values()];
}

async function issueOf(db: Db, orgId: string, id: string) {
  const [row] = await db
    .select({ hostId: issues.hostId, ruleId: issues.ruleId, target: issues.target, source: issues.source })
    .from(issues)
    .where(and(eq(issues.id, id), eq(issues.orgId, orgId)));
  if (!row) throw notFound("issue");
  return row;
}

async function marksOn(db: Db, orgId: string, hostId: string, ruleId: string) {
  const [row] = await db
    .select({ n: count() })
    .from(noiseMarks)
    .where(and(eq(noiseMarks.orgId, orgId), eq(noiseMarks.hostId, hostId), eq(noiseMarks.ruleId, ruleId)));
  return row?.n ?? 0;
}

function view(
  issueId: string,
  row: { hostId: string; ruleId: string },
  marks: number,
  mark: { reason: string; markedBy: string; createdAt: number } | null,
) {
  return {
    issueId,
    hostId: row.hostId,
    rule: row.ruleId,
    noise: mark !== null,
    reason: mark?.reason ?? null,
    markedBy: mark?.markedBy ?? null,
    markedAt: mark ? iso(mark.createdAt) : null,
    hostRuleMarks: marks,
  };
}

export async function getNoise(db: Db, orgId: string, id: string) {
  const row = await issueOf(db, orgId, id);
  const [mark] = await db
    .select()
    .from(noiseMarks)
    .where(and(eq(noiseMarks.issueId, id), eq(noiseMarks.orgId, orgId)));
  return view(id, row, await marksOn(db, orgId, row.hostId, row.ruleId), mark ?? null);
}

export async function markNoise(db: Db, principal: Principal, id: string, reason: string, now = Date.now()) {
  const { orgId } = principal;
  const row = await issueOf(db, orgId, id);
  if (row.source === "operator")
    throw conflict("an operator's host action is not a finding: nothing to learn");
  const mark = { reason, markedBy: principal.name, createdAt: now };
  try {
    await runBatch(db, [
      db
        .insert(noiseMarks)
        .values({ issueId: id, orgId, hostId: row.hostId, ruleId: row.ruleId, target: row.target, ...mark }),
      audit(
        db,
        orgId,
        "issue.noise",
        id,
        `marked issue ${id} (${row.ruleId}) as noise: ${reason}`,
        "ok",
        now,
      ),
    ]);
  } catch (err) {
    if (/UNIQUE|constraint/i.test(String(err))) throw conflict("the issue is already marked as noise");
    throw err;
  }
  return { view: view(id, row, await marksOn(db, orgId, row.hostId, row.ruleId), mark), hostId: row.hostId };
}

export async function undoNoise(db: Db, orgId: string, id: string, now = Date.now()) {
  const row = await issueOf(db, orgId, id);
  const where = and(eq(noiseMarks.issueId, id), eq(noiseMarks.orgId, orgId));
  const [mark] = await db.select({ issueId: noiseMarks.issueId }).from(noiseMarks).where(where);
  if (!mark) throw notFound("noise mark");
  await runBatch(db, [
    db.delete(noiseMarks).where(where),
    audit(db, orgId, "issue.noise_undo", id, `noise mark on issue ${id} (${row.ruleId}) undone`, "ok", now),
  ]);
  return { view: view(id, row, await marksOn(db, orgId, row.hostId, row.ruleId), null), hostId: row.hostId };
}
