/**
 * Reads never fail on what is stored: rows that today's ingest checks would refuse (written
 * before those checks, or by hand) are left out of answers and counters, never a 500. The
 * property test writes arbitrary rows straight into the real tables with drizzle, then reads
 * every route that shows them.
 */
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { issues, metricSamples, recoveryHistory } from "../../worker/db/schema";
import { MetricsSchema } from "../../worker/schemas/healing";
import { SamplesSchema } from "../../worker/schemas/hosts";
import { HistoryEntrySchema, IssueDetailSchema, IssueSchema } from "../../worker/schemas/issues";
import { call, newTenant, type Tenant, unique } from "./support/harness";

const db = drizzle(env.DB);
const now = Date.now();

function historyRow(t: Tenant, hostId: string, extra: Partial<typeof recoveryHistory.$inferInsert> = {}) {
  return {
    id: unique("rec"),
    orgId: t.orgId,
    hostId,
    issueId: "",
    commandId: unique("local"),
    action: "restart_service",
    target: "web",
    status: "succeeded" as const,
    trigger: "local" as const,
    startedAt: now - 2000,
    finishedAt: now - 1000,
    exitCode: 0,
    output: "ok",
    durationMs: 1000,
    ...extra,
  };
}

const recoveriesTotal = async (t: Tenant) => {
  const text = await (await call("/metrics", { token: t.admin })).text();
  return [...text.matchAll(/^selfheal_recoveries_total\{[^}]*\} (\d+)$/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
};

describe("reads skip stored rows they cannot show", () => {
  it("answers the recovery history without a row of 2^53−1 ms finished in 1970, and keeps the others", async () => {
    const t = await newTenant();
    const { hostId } = await t.enroll();
    const good = historyRow(t, hostId);
    await db
      .insert(recoveryHistory)
      .values([
        good,
        historyRow(t, hostId, { durationMs: 2 ** 53 - 1, finishedAt: 0, startedAt: -(2 ** 53 - 1) }),
      ]);
    const res = await call("/api/healing/recovery-history", { token: t.admin });
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: { id: string }[] };
    expect(items.map((i) => i.id)).toEqual([good.id]);
  });

  it("does not count a history row with an impossible duration in selfheal_recoveries_total", async () => {
    const t = await newTenant();
    const { hostId } = await t.enroll();
    await db.insert(recoveryHistory).values(historyRow(t, hostId));
    await db.insert(recoveryHistory).values(historyRow(t, hostId, { durationMs: 2 ** 53 - 1 }));
    expect(await recoveriesTotal(t)).toBe(1);
    const metrics = (await (await call("/api/healing/metrics", { token: t.admin })).json()) as {
      recoveries: { total: number };
    };
    expect(metrics.recoveries.total).toBe(1);
  });

  it("lists issues without one whose detection time cannot be printed", async () => {
    const t = await newTenant();
    const { hostId } = await t.enroll();
    const base = {
      orgId: t.orgId,
      hostId,
      ruleId: "cpu_spike",
      ruleName: "CPU spike",
      severity: "high" as const,
      status: "resolved" as const,
      summary: "cpu",
      evidence: {},
      actions: [],
      updatedAt: now,
    };
    await db.insert(issues).values([
      { ...base, id: unique("iss"), detectedAt: now },
      { ...base, id: unique("iss"), detectedAt: 2 ** 53 - 1 },
    ]);
    const res = await call("/api/healing/issues", { token: t.admin });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(1);
  });
});

// ---- the property: arbitrary stored rows, every read answers 200 in its documented shape ----

const int = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(0, -1, now, 2 ** 53 - 1, -(2 ** 53 - 1), 253_402_300_800_000, 8.64e15 + 1),
);
const time = fc.oneof(int, fc.integer({ min: now - 86_400_000, max: now }));
const text = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("", "\u0000", "x".repeat(5000)));
const oneOf = <T extends string>(values: readonly T[]) => fc.oneof(fc.constantFrom(...values), text);
const real = fc.double({ noNaN: true, noDefaultInfinity: true });
/** Plain JSON objects (drizzle cannot insert fast-check's null-prototype dictionaries). */
const plain = <T>(arb: fc.Arbitrary<T>) => arb.map((v) => JSON.parse(JSON.stringify(v)) as T);

const historyArb = fc.record({
  status: oneOf(["pending", "succeeded", "failed", "refused", "timed_out"]),
  trigger: oneOf(["auto", "manual", "local"]),
  startedAt: time,
  finishedAt: fc.option(time),
  durationMs: fc.option(int),
  exitCode: fc.option(int),
  output: fc.option(text),
  action: text,
  target: fc.option(text),
});
const issueArb = fc.record({
  status: oneOf(["open", "recovering", "awaiting_approval", "resolved", "escalated"]),
  severity: oneOf(["critical", "high", "medium", "low"]),
  ruleId: text,
  target: text,
  summary: text,
  evidence: plain(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })),
  actions: fc.array(text, { maxLength: 3 }),
  detectedAt: time,
  resolvedAt: fc.option(time),
  mttrSeconds: fc.option(real),
  escalatedAt: fc.option(time),
  respondBy: fc.option(time),
  acknowledgedAt: fc.option(time),
  ruleKind: fc.option(text),
  incidentKey: fc.option(text),
});
const sampleArb = fc.record({
  ts: time,
  cpu: fc.option(real),
  memory: fc.option(real),
  extra: fc.option(plain(fc.oneof(fc.dictionary(text, real, { maxKeys: 3 }), fc.jsonValue({ maxDepth: 2 })))),
});

async function read(path: string, token: string) {
  const res = await call(path, { token });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return res.json();
}

describe("every read answers 200 in its shape whatever rows are stored", () => {
  it("holds for arbitrary recovery history, issue and sample rows", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(historyArb, { maxLength: 4 }),
        fc.array(issueArb, { minLength: 1, maxLength: 4 }),
        fc.array(sampleArb, { maxLength: 4 }),
        async (history, issueRows, samples) => {
          const t = await newTenant();
          const { hostId } = await t.enroll();
          const ids = issueRows.map(() => unique("iss"));
          await db.insert(issues).values(
            issueRows.map((r, i) => ({
              ...r,
              // one unresolved issue per host, rule and target is a constraint of the table
              target: `${r.target}#${i}`,
              id: ids[i],
              orgId: t.orgId,
              hostId,
              ruleName: "rule",
              updatedAt: now,
            })) as (typeof issues.$inferInsert)[],
          );
          if (history.length)
            await db.insert(recoveryHistory).values(
              history.map((r) => ({
                ...r,
                id: unique("rec"),
                orgId: t.orgId,
                hostId,
                issueId: ids[0],
                commandId: unique("cmd"),
              })) as (typeof recoveryHistory.$inferInsert)[],
            );
          if (samples.length)
            await db
              .insert(metricSamples)
              .values(samples.map((s) => ({ ...s, hostId })) as (typeof metricSamples.$inferInsert)[])
              .onConflictDoNothing();
          z.object({ items: z.array(HistoryEntrySchema) }).parse(
            await read("/api/healing/recovery-history", t.admin),
          );
          z.object({ items: z.array(IssueSchema) }).parse(await read("/api/healing/issues", t.admin));
          for (const id of ids) {
            const res = await call(`/api/healing/issues/${id}`, { token: t.admin });
            expect([200, 404], await res.clone().text()).toContain(res.status);
            if (res.status === 200) IssueDetailSchema.parse(await res.json());
          }
          SamplesSchema.parse(await read(`/api/v1/hosts/${hostId}/samples`, t.admin));
          MetricsSchema.parse(await read("/api/healing/metrics", t.admin));
          const prom = await call("/metrics", { token: t.admin });
          expect(prom.status).toBe(200);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
