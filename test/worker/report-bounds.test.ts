import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_METRIC_NAMES } from "../../agent/engine";
import type { HotState } from "../../worker/objects/host/hot-state";
import {
  call,
  expectError,
  hostStub,
  json,
  must,
  newTenant,
  result,
  sample,
  sql,
  storedSamples,
} from "./support/harness";

/** The engine state the host's object holds (D1 no longer keeps it). */
const hotEngineState = (hostId: string) =>
  runInDurableObject(
    hostStub(hostId),
    (_o, state) => state.storage.kv.get<HotState>("hot")?.host.engineState,
  );

const MINUTE = 60_000;
const DAY = 86_400_000;

describe("a report's times are checked against the edge's clock", () => {
  it("refuses a sample more than 5 minutes ahead, naming it, and stores nothing of the report", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const body = {
      protocol: 1,
      samples: [sample({ memory: 99 }), sample({ memory: 99 }, Date.parse("9999-12-31"))],
    };
    const res = await call("/api/v1/agent/report", { token: agent.token, body });
    const error = await expectError(res, 400, "BAD_REQUEST");
    expect(error.issues?.map((i) => i.path)).toEqual(["samples.1.ts"]);
    expect(await storedSamples(agent.hostId)).toBe(0);
    expect(await t.issues(`?host=${agent.hostId}`)).toEqual([]);
  });

  it("keeps showing a host's newest metrics after a future sample was refused", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ samples: [sample({ cpu: 50 }, Date.now() + 10 * MINUTE)] }, 400);
    await agent.report({ samples: [sample({ cpu: 20 })] });
    await agent.report({ samples: [sample({ cpu: 30 }, Date.now() + 1000)] });
    expect((await t.host(agent.hostId)).metrics).toMatchObject({ cpu: 30 });
  });

  it("thaws a host that took a sample from the future before times were checked", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    // a host from before the checks (and before host objects): its object starts from this row
    const future = Date.parse("9999-12-31");
    const state = {
      v: 1,
      tracks: { "memory_critical|": { active: true, since: future, openedAt: future, count: 1 } },
      series: { memory: { at: future, trend: { pts: [[future, 99]], n: 1 } } },
    };
    await sql(
      "UPDATE hosts SET metrics_at = ?, metrics = ?, engine_state = ? WHERE id = ?",
      future,
      JSON.stringify({ memory: 99 }),
      JSON.stringify(state),
      agent.hostId,
    );
    await agent.report({ samples: [sample({ memory: 41 })] });
    expect((await t.host(agent.hostId)).metrics).toMatchObject({ memory: 41 });
    const kept = must(await hotEngineState(agent.hostId));
    expect(kept.tracks["memory_critical|"]).toBeUndefined();
    expect(JSON.stringify(kept.series)).not.toContain(String(future));
  });

  it("accepts a sample a little ahead of the edge (an agent's clock drifts)", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ samples: [sample({ cpu: 40 }, Date.now() + 2 * MINUTE)] });
    expect((await t.samples(agent.hostId)).map((s) => s.metrics.cpu)).toEqual([40]);
  });

  it("refuses a sample older than the org's retention", async () => {
    const t = await newTenant();
    await t.config({ retention: { raw_days: 1, minute_days: 1, hour_days: 1 } });
    const agent = await t.enroll();
    const res = await call("/api/v1/agent/report", {
      token: agent.token,
      body: { protocol: 1, samples: [sample({}, Date.now() - 2 * DAY), sample()] },
    });
    const error = await expectError(res, 400, "BAD_REQUEST");
    expect(error.issues).toEqual([
      { path: "samples.0.ts", message: "older than the org's retention (1 days)" },
    ]);
  });

  it("refuses a result with a duration past a day or one that would start in 1970", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const bad = [
      result(`local-${crypto.randomUUID()}`, "succeeded", { durationMs: 2 ** 53 - 1 }),
      result(`local-${crypto.randomUUID()}`, "succeeded", { finishedAt: "1970-01-01T00:00:00.000Z" }),
      result(`local-${crypto.randomUUID()}`, "succeeded", { finishedAt: "9999-12-31T00:00:00.000Z" }),
    ];
    for (const [i, r] of bad.entries()) {
      const res = await call("/api/v1/agent/report", {
        token: agent.token,
        body: { protocol: 1, samples: [], results: [r] },
      });
      expect(res.status, `result ${i}`).toBe(400);
    }
    expect(await sql("SELECT count(*) AS n FROM recovery_history WHERE host_id = ?", agent.hostId)).toEqual([
      { n: 0 },
    ]);
    expect(await t.history()).toEqual([]);
  });
});

describe("a host's metric names are capped", () => {
  it("refuses new metric names past the cap, names them in the response and stores the rest", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const many = (from: number, n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`disk:/m${from + i}`, 10]));
    const base = Date.now() - 10_000;
    const first = await agent.report({ samples: [sample(many(0, 250), base)] });
    expect(first.refusedMetrics).toBeUndefined();
    const second = await json<{ refusedMetrics?: string[] }>("/api/v1/agent/report", {
      token: agent.token,
      body: { protocol: 1, samples: [sample(many(250, 250), base + 1000)] },
    });
    // cpu, memory, disk and load1 come with every sample of the factory
    const admitted = MAX_METRIC_NAMES - 254;
    // at most 100 names in one answer, sorted
    expect(must(second.refusedMetrics)).toHaveLength(Math.min(100, 250 - admitted));
    expect(second.refusedMetrics).toContain("disk:/m296");
    expect(second.refusedMetrics).not.toContain("disk:/m295");
    const [stored] = await t.samples(agent.hostId, `?from=${new Date(base + 500).toISOString()}`);
    expect(Object.keys(stored.metrics)).toHaveLength(4 + admitted);
    expect(stored.metrics["disk:/m499"]).toBeUndefined();
    // names it already knows still get through
    const third = await agent.report({ samples: [sample(many(0, 10), base + 2000)] });
    expect(third.refusedMetrics).toBeUndefined();
  });
});
