import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";

/**
 * A request's query builder over D1, metered. No `schema` option: nothing here uses drizzle's
 * relational queries (db.query), and with it drizzle walks the whole schema on every call, the
 * largest single cost of a steady report (bench:profile-report).
 */
function meteredDrizzle(d1: D1Database, meter: D1Meter) {
  return Object.assign(drizzle(meterD1(d1, meter)), { meter });
}

export type Db = ReturnType<typeof meteredDrizzle>;

/**
 * Built on first use: every API request and every report in a host object gets a handle, and a
 * steady report never uses it (only its meter, for Server-Timing), so drizzle's database, session
 * and dialect are not built for it. Methods are bound to the built handle, so drizzle sees itself.
 */
export function createDb(d1: D1Database): Db {
  const meter: D1Meter = { startedAt: performance.now(), calls: 0, ms: 0, rowsRead: 0, rowsWritten: 0 };
  let built: Db | undefined;
  return new Proxy({ meter } as Db, {
    get(target, prop) {
      if (prop === "meter") return target.meter;
      built ??= meteredDrizzle(d1, meter);
      const value = Reflect.get(built, prop, built);
      return typeof value === "function" ? value.bind(built) : value;
    },
  });
}

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

/**
 * What one request asked of D1: calls (a batch is one), time waiting on them, and rows read and
 * written as D1 reports them (result meta; `raw()` results carry none, so those rows go uncounted).
 * The report route sends it back as Server-Timing for bench:ingest.
 */
export interface D1Meter {
  startedAt: number;
  calls: number;
  ms: number;
  rowsRead: number;
  rowsWritten: number;
}

type Meta = { meta?: { rows_read?: number; rows_written?: number } };

function record(meter: D1Meter, t0: number, results: unknown) {
  meter.calls++;
  meter.ms += performance.now() - t0;
  for (const r of Array.isArray(results) ? results : [results]) {
    meter.rowsRead += (r as Meta)?.meta?.rows_read ?? 0;
    meter.rowsWritten += (r as Meta)?.meta?.rows_written ?? 0;
  }
}

async function timed<T>(meter: D1Meter, run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await run();
  record(meter, t0, result);
  return result;
}

const INNER = Symbol("inner statement");
type Metered = D1PreparedStatement & { [INNER]: D1PreparedStatement };

function meterStatement(stmt: D1PreparedStatement, meter: D1Meter): D1PreparedStatement {
  const wrapped = {
    [INNER]: stmt,
    bind: (...values: unknown[]) => meterStatement(stmt.bind(...values), meter),
    first: (column?: string) => timed(meter, () => (column ? stmt.first(column) : stmt.first())),
    all: () => timed(meter, () => stmt.all()),
    run: () => timed(meter, () => stmt.run()),
    raw: (options?: { columnNames?: boolean }) => timed(meter, () => stmt.raw(options as never)),
  };
  return wrapped as unknown as Metered;
}

/** The binding with every statement and batch metered; everything else passes through. */
function meterD1(d1: D1Database, meter: D1Meter): D1Database {
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => meterStatement(target.prepare(sql), meter);
      if (prop === "batch")
        return (stmts: D1PreparedStatement[]) =>
          timed(meter, () => target.batch(stmts.map((s) => (s as Metered)[INNER] ?? s)));
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
