import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export function createDb(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Db = ReturnType<typeof createDb>;

/** Hand-written SQL for what the query builder cannot say (json_each bulk writes). */
export interface RawStatement {
  raw: string;
  params: unknown[];
}

/** A write: a drizzle query builder or a raw statement. */
export type Statement = BatchItem<"sqlite"> | RawStatement;

const isRaw = (s: Statement): s is RawStatement => typeof (s as RawStatement).raw === "string";

/**
 * Runs writes atomically in one round trip (D1 has no BEGIN); an empty list is a no-op.
 * Goes to D1 directly because drizzle's batch cannot carry raw SQL with parameters.
 */
export async function runBatch(db: Db, statements: Statement[]): Promise<D1Result[]> {
  if (statements.length === 0) return [];
  const d1 = db.$client;
  const prepared = statements.map((s) => {
    const { sql, params } = isRaw(s) ? { sql: s.raw, params: s.params } : (s as unknown as ToSql).toSQL();
    return d1.prepare(sql).bind(...params);
  });
  return d1.batch(prepared);
}

interface ToSql {
  toSQL(): { sql: string; params: unknown[] };
}
