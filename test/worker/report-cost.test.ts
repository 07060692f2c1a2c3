import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hostUpdate } from "../../worker/services/ingest/report/host-row";
import type { HostRow } from "../../worker/services/ingest/report/load";
import {
  type Agent,
  call,
  hostStub,
  must,
  newTenant,
  sample,
  service,
  sql,
  storedSamples,
} from "./support/harness";

/** One report, returning the D1 figures of its Server-Timing header. */
async function reportCost(agent: Agent, body: Record<string, unknown>) {
  const res = await call("/api/v1/agent/report", {
    token: agent.token,
    body: { protocol: 1, samples: [sample()], ...body },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const header = must(res.headers.get("server-timing"));
  const figure = (name: string) => Number(new RegExp(`${name};(?:dur|desc)=([\\d.]+)`).exec(header)?.[1]);
  return {
    calls: figure("d1_calls"),
    rowsRead: figure("d1_rows_read"),
    rowsWritten: figure("d1_rows_written"),
    d1: figure("d1"),
    js: figure("js"),
    cold: figure("object_cold"),
  };
}

const steady = [service("web", "up"), service("db", "up")];

describe("the cost of a report", () => {
  it("tells in Server-Timing the D1 calls, rows and time it took", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const cost = await reportCost(agent, { services: steady });
    expect(cost.calls).toBeGreaterThanOrEqual(3);
    expect(cost.rowsWritten).toBeGreaterThan(0);
    expect(cost.rowsRead).toBeGreaterThan(0);
    expect(cost.d1).toBeGreaterThanOrEqual(0);
    expect(cost.js).toBeGreaterThanOrEqual(0);
  });

  it("makes no D1 call for a steady report once the token is known and the host's object holds its state", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    // the first looks the token up (and refreshes its lastUsedAt), the object reads the host's
    // rows once and writes the services and the host summary
    expect((await reportCost(agent, { services: steady })).calls).toBe(4);
    const again = await reportCost(agent, { services: steady, samples: [sample({}, Date.now() + 1000)] });
    expect(again).toMatchObject({ calls: 0, rowsRead: 0, rowsWritten: 0 });
    expect((await reportCost(agent, { samples: [sample({ cpu: 30 }, Date.now() + 2000)] })).calls).toBe(0);
    // the samples went to the object's history all the same
    expect(await storedSamples(agent.hostId)).toBe(3);
  });

  it("makes no D1 call while the host's issue waits on the action in flight", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await reportCost(agent, { services: steady });
    const down = [service("web", "down"), service("db", "up")];
    await reportCost(agent, { services: down }); // opens the issue, reads the guardrails, queues a restart
    const [issue] = (await t.issues(`?host=${agent.hostId}`)).filter((i) => i.status !== "resolved");
    expect(issue?.status).toBe("recovering");
    await reportCost(agent, { services: down }); // reads again what the opening wrote
    // the restart is in flight: no step to plan, so no guardrails to read across hosts
    expect((await reportCost(agent, { services: down })).calls).toBe(0);
    expect((await reportCost(agent, { services: down })).calls).toBe(0);
  });

  it("makes no D1 call after the host's object was evicted between two reports", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await reportCost(agent, { services: steady });
    expect(
      (await reportCost(agent, { services: steady, samples: [sample({}, Date.now() + 1000)] })).calls,
    ).toBe(0);
    await abortAllDurableObjects(); // as an idle or hibernating object is
    expect(
      (await reportCost(agent, { services: steady, samples: [sample({}, Date.now() + 2000)] })).calls,
    ).toBe(0);
    expect(await storedSamples(agent.hostId)).toBe(3);
  });

  it("tells in Server-Timing whether the host's object was rebuilt from its storage for the report", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await abortAllDurableObjects();
    expect((await reportCost(agent, { services: steady })).cold).toBe(1);
    const warm = await reportCost(agent, { services: steady, samples: [sample({}, Date.now() + 1000)] });
    expect(warm.cold).toBe(0);
    await abortAllDurableObjects();
    const cold = await reportCost(agent, { services: steady, samples: [sample({}, Date.now() + 2000)] });
    expect(cold.cold).toBe(1);
  });

  it("reads its context from D1 again after an eviction when a change was announced before it", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await reportCost(agent, { services: steady });
    await hostStub(agent.hostId).configChanged();
    await abortAllDurableObjects();
    expect(
      (await reportCost(agent, { services: steady, samples: [sample({}, Date.now() + 1000)] })).calls,
    ).toBe(1);
    expect(
      (await reportCost(agent, { services: steady, samples: [sample({}, Date.now() + 2000)] })).calls,
    ).toBe(0);
  });

  it("makes no D1 call after an upgrade from a version that kept the summary's marks inside the hot state", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await reportCost(agent, { services: steady });
    // as the previous version stored it: the marks inside the hot state, no key of their own
    const marks = await runInDurableObject(hostStub(agent.hostId), (_o, state) => {
      const hot = must(state.storage.kv.get<Record<string, unknown>>("hot"));
      const kept = must(state.storage.kv.get<Record<string, unknown>>("hot-marks"));
      state.storage.kv.put("hot", { ...hot, ...kept });
      state.storage.kv.delete("hot-marks");
      return kept;
    });
    await abortAllDurableObjects();
    // the summary's mark is read from the hot state: not due, so not written with this report
    expect(
      (await reportCost(agent, { services: steady, samples: [sample({}, Date.now() + 1000)] })).calls,
    ).toBe(0);
    const stored = await runInDurableObject(hostStub(agent.hostId), (_o, state) =>
      state.storage.kv.get<Record<string, unknown>>("hot-marks"),
    );
    expect(stored).toEqual(marks);
  });

  it("reads its context from D1 once after an upgrade from a version that kept D1's host row inside the copy", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await reportCost(agent, { services: steady });
    // as the previous version stored it: the host row inside the copy, no key of its own
    await runInDurableObject(hostStub(agent.hostId), (_o, state) => {
      const copy = must(state.storage.kv.get<Record<string, unknown>>("context"));
      state.storage.kv.put("context", { ...copy, d1Host: must(state.storage.kv.get("context-d1-host")) });
      state.storage.kv.delete("context-d1-host");
    });
    await abortAllDurableObjects();
    expect(
      (await reportCost(agent, { services: steady, samples: [sample({}, Date.now() + 1000)] })).calls,
    ).toBe(1);
    expect(
      (await reportCost(agent, { services: steady, samples: [sample({}, Date.now() + 2000)] })).calls,
    ).toBe(0);
  });

  it("rewrites no service row when the services are reported as they were", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await reportCost(agent, { services: steady });
    const before = await sql("SELECT name, updated_at FROM service_states WHERE host_id = ?", agent.hostId);
    const again = await reportCost(agent, { services: steady, samples: [sample({}, Date.now() + 1000)] });
    const without = await reportCost(agent, { samples: [sample({}, Date.now() + 2000)] });
    expect(again.rowsWritten).toBe(without.rowsWritten);
    expect(await sql("SELECT name, updated_at FROM service_states WHERE host_id = ?", agent.hostId)).toEqual(
      before,
    );
    await reportCost(agent, { services: [service("web", "down"), service("db", "up")] });
    const web = await sql(
      "SELECT status FROM service_states WHERE host_id = ? AND name = 'web'",
      agent.hostId,
    );
    expect(web).toEqual([{ status: "down" }]);
  });

  it("updates only the host columns a report changed", () => {
    const state = { v: 1, tracks: {}, series: { cpu: { trend: { pts: [[1, 20]], n: 1 } } } };
    const read = {
      ...{ id: "hst_1", orgId: "org_1", name: "web-1", group: null, createdAt: 1 },
      ...{ facts: { agentVersion: "1.0.0" }, lastSeenAt: 1, engineState: state, metrics: { cpu: 20 } },
      ...{ metricsAt: 1, healthScore: 90, checkOutputs: null },
    } as unknown as HostRow;
    const next = {
      ...{ lastSeenAt: 2, facts: { agentVersion: "1.0.0" }, engineState: structuredClone(state) },
      ...{ metrics: { cpu: 20 }, metricsAt: 1, healthScore: 90, checkOutputs: null },
    } as unknown as Parameters<typeof hostUpdate>[1];
    expect(hostUpdate(read, next)).toEqual({ lastSeenAt: 2 });
    const moved = { ...state, series: { cpu: { trend: { pts: [[2, 30]], n: 2 } } } };
    expect(
      hostUpdate(read, {
        ...next,
        engineState: moved as unknown as typeof next.engineState,
        healthScore: 80,
      }),
    ).toEqual({
      lastSeenAt: 2,
      engineState: moved,
      healthScore: 80,
    });
  });
});
