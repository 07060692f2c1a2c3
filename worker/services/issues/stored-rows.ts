/**
 * The one boundary where stored rows become API answers. A row written before today's ingest
 * checks, or by hand, must not take a whole list (or the History page) down with it: a row whose
 * view throws (a time Date cannot print) or fails the route's own response schema is skipped and
 * logged, never a 500. Counters read the same rows through saneHistory, so a bad duration cannot
 * inflate them either.
 */
import { and, between, isNull, or } from "drizzle-orm";
import type { z } from "zod";
import { LIMITS } from "../../../agent/protocol";
import { recoveryHistory } from "../../db/schema";

/** Times a stored row may hold: anything else is corrupt, not history. */
export const STORED_TIME = { min: Date.UTC(2000, 0, 1), max: Date.UTC(9999, 11, 31) } as const;

const timeOk = (ms: number | null) =>
  ms === null || (Number.isSafeInteger(ms) && ms >= STORED_TIME.min && ms <= STORED_TIME.max);

/** Why a recovery_history row cannot be shown or counted, or null when it can. */
export function historyRowProblem(row: {
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
}): string | null {
  if (!timeOk(row.startedAt) || !timeOk(row.finishedAt)) return "time out of range";
  const d = row.durationMs;
  if (d !== null && !(Number.isSafeInteger(d) && d >= 0 && d <= LIMITS.resultDurationMs))
    return "duration out of range";
  return null;
}

/** historyRowProblem as SQL, for the queries that count history rows instead of reading them. */
export const saneHistory = and(
  between(recoveryHistory.startedAt, STORED_TIME.min, STORED_TIME.max),
  or(
    isNull(recoveryHistory.finishedAt),
    between(recoveryHistory.finishedAt, STORED_TIME.min, STORED_TIME.max),
  ),
  or(isNull(recoveryHistory.durationMs), between(recoveryHistory.durationMs, 0, LIMITS.resultDurationMs)),
);

/**
 * Maps rows to views, keeping only views that match `schema`; the others are logged (table and
 * id, no content) and left out.
 */
export function viewRows<R, V>(
  what: string,
  rows: R[],
  schema: z.ZodType<V>,
  view: (row: R) => V,
  idOf: (row: R) => string,
  check: (row: R) => string | null = () => null,
): V[] {
  const out: V[] = [];
  for (const row of rows) {
    let problem = check(row);
    if (!problem)
      try {
        // The view itself goes out (the schema only judges it): parsing must not reshape an answer.
        const v = view(row);
        const parsed = schema.safeParse(v);
        if (parsed.success) out.push(v);
        else problem = parsed.error.issues[0]?.path.join(".") || "shape";
      } catch (err) {
        problem = String(err);
      }
    if (problem)
      console.warn(JSON.stringify({ skipped: what, id: idOf(row), problem: problem.slice(0, 200) }));
  }
  return out;
}
