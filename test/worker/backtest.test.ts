import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { BacktestResult as Backtest } from "../../worker/api-types";
import { call, expectError, json, newTenant, type Tenant } from "./support/harness";
import { badFields, listRules, MIN, minutes } from "./support/rules-harness";

const at = (ms: number) => new Date(ms).toISOString();
const run = (t: Tenant, body: unknown, token = t.admin) => call("/api/v1/rules/backtest", { token, body });

/** Two hot spells: 20 min at 95 from minute 10, and 10 min at 95 from minute 40. */
async function hostWithHistory() {
  const t = await newTenant();
  const agent = await t.enroll();
  const start = Date.UTC(2026, 10, 1, 0, 0, 0);
  const hot = (i: number) => (i >= 10 && i < 30) || (i >= 40 && i < 50);
  await agent.report({ reason: "backfill", samples: minutes(60, (i) => ({ cpu: hot(i) ? 95 : 20 }), start) });
  return { t, agent, start };
}

describe("POST /api/v1/rules/backtest", () => {
  it("returns when a seed-shaped rule would have fired over stored samples, and for how long", async () => {
    const { t, agent, start } = await hostWithHistory();
    const rule = { cpu_hot: { threshold: 90, duration: 300, severity: "high", actions: [] } };
    const result = await json<Backtest>("/api/v1/rules/backtest", {
      token: await t.token("read"),
      body: { rule, host: agent.name },
    });
    expect(result).toMatchObject({ rule: "cpu_hot", samples: 60, from: at(start), to: at(start + 59 * MIN) });
    expect(result.truncated).toBe(false);
    expect(result.firings).toEqual([
      {
        target: null,
        openedAt: at(start + 15 * MIN),
        clearedAt: at(start + 30 * MIN),
        durationSeconds: 900,
        peak: 95,
        summary: "cpu_hot: cpu 95 above 90 for 5 min",
      },
      expect.objectContaining({
        openedAt: at(start + 45 * MIN),
        clearedAt: at(start + 50 * MIN),
        durationSeconds: 300,
      }),
    ]);
    expect(result.totalFiringSeconds).toBe(1200);
    // Nothing was stored: a backtest is not a rule.
    expect((await listRules(t)).some((r) => r.id === "cpu_hot")).toBe(false);
  });

  it("reads only the window asked for, and reports a firing still open at its end", async () => {
    const { t, agent, start } = await hostWithHistory();
    const rule = { id: "cpu_hot", kind: "threshold", metric: "cpu", threshold: 90, severity: "high" };
    const result = await json<Backtest>("/api/v1/rules/backtest", {
      token: t.admin,
      body: { rule, host: agent.hostId, from: at(start + 35 * MIN), to: at(start + 45 * MIN) },
    });
    expect(result.samples).toBe(11);
    expect(result.firings).toEqual([
      expect.objectContaining({ openedAt: at(start + 40 * MIN), clearedAt: null, durationSeconds: 300 }),
    ]);
  });

  it("refuses service rules, names bad fields, and 404s an unknown host", async () => {
    const { t, agent } = await hostWithHistory();
    const service = { id: "web_down", kind: "service", service: "web", severity: "high" };
    const err = await expectError(await run(t, { rule: service, host: agent.hostId }), 400, "BAD_REQUEST");
    expect(err.message).toMatch(/service rules cannot be backtested/);
    const bad = { cpu_hot: { threshold: 90, severity: "urgent" } };
    expect(await badFields(await run(t, { rule: bad, host: agent.hostId }))).toEqual([
      "rule.cpu_hot.severity",
    ]);
    expect(
      await badFields(
        await run(t, { rule: { kind: "growth", metric: "memory", severity: "low" }, host: agent.hostId }),
      ),
    ).toEqual(["rule.growthRate"]);
    const rule = { id: "cpu_hot", kind: "threshold", metric: "cpu", threshold: 90, severity: "high" };
    await expectError(await run(t, { rule, host: "nope" }), 404, "NOT_FOUND");
    const other = await newTenant();
    await expectError(await run(other, { rule, host: agent.hostId }), 404, "NOT_FOUND");
  });

  it("caps the history it reads and says so", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const start = Date.UTC(2026, 9, 1);
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 20004)
       INSERT INTO metric_samples (host_id, ts, cpu) SELECT ?, ? + i * 1000, 20 FROM n`,
    )
      .bind(agent.hostId, start)
      .run();
    const rule = { id: "cpu_hot", kind: "threshold", metric: "cpu", threshold: 90, severity: "high" };
    const result = await json<Backtest>("/api/v1/rules/backtest", {
      token: t.admin,
      body: { rule, host: agent.hostId },
    });
    expect(result).toMatchObject({
      samples: 20_000,
      truncated: true,
      from: at(start),
      to: at(start + 19_999_000),
    });
  });
});

describe("a backtest over a metric the host does not report", () => {
  it("says no sample has the metric, naming what the host reports, rather than a bare 'fired 0 times'", async () => {
    const { t, agent } = await hostWithHistory();
    const body = (metric: string) => ({
      rule: { kind: "threshold", metric, threshold: 90, severity: "high" },
      host: agent.name,
    });
    const missing = await json<Backtest & { metricSamples: number; warning: string | null }>(
      "/api/v1/rules/backtest",
      { token: t.admin, body: body("cpu_percent") },
    );
    expect(missing).toMatchObject({ samples: 60, metricSamples: 0, firings: [] });
    expect(missing.warning).toBe("no sample in this range has the metric cpu_percent: this host reports cpu");
    const present = await json<Backtest & { metricSamples: number; warning: string | null }>(
      "/api/v1/rules/backtest",
      { token: t.admin, body: body("cpu") },
    );
    expect(present).toMatchObject({ metricSamples: 60, warning: null });
  });
});
