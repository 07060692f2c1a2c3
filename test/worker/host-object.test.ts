/**
 * The host's Durable Object (worker/objects/host): the agent's long-poll held there and woken by
 * whatever queues a command, nothing acknowledged lost when the object restarts, history kept
 * and read there, and fleet pages that never wake an object.
 */
import {
  abortAllDurableObjects,
  listDurableObjectIds,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Command } from "../../agent/protocol";
import { type HotState, readHot } from "../../worker/objects/host/hot-state";
import { openSocket } from "./support/command-socket";
import {
  call,
  hostStub,
  json,
  must,
  newTenant,
  type Queued,
  sample,
  series,
  service,
  sql,
  storedSamples,
} from "./support/harness";

const down = [service("nginx", "down", { detail: "inactive (dead)" })];

const cpuInD1 = async (hostId: string) =>
  (await sql("SELECT metrics FROM hosts WHERE id = ?", hostId)).map(
    (r) => JSON.parse(String(r.metrics)).cpu,
  )[0];

const hotState = (hostId: string) =>
  runInDurableObject(hostStub(hostId), (_o, state) => readHot(state.storage.kv));

/** Moves the object's stored marks (when D1 last got the summary, when retention last ran). */
const moveMarks = (hostId: string, marks: Partial<HotState>) =>
  runInDurableObject(hostStub(hostId), (_o, state) => {
    const stored = must(state.storage.kv.get<Partial<HotState>>("hot-marks"));
    state.storage.kv.put("hot-marks", { ...stored, ...marks });
  });

describe("the host object's long-poll", () => {
  it("answers a waiting long-poll as soon as a command is queued, not at the end of its wait", async () => {
    const t = await newTenant();
    await t.config({ recovery: { require_confirmation: true } });
    const agent = await t.enroll();
    await agent.report({ services: down });
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    const started = Date.now();
    const waiting = json<{ commands: Command[] }>("/api/v1/agent/commands?wait=20", { token: agent.token });
    // the poll is held by the object before anything is queued
    await expect.poll(() => hostStub(agent.hostId).waiting(), { timeout: 5000 }).toBe(1);
    const queued = await json<Queued>(
      "/api/healing/recover",
      { token: t.admin, body: { issue_id: issue.id, action: "auto" } },
      202,
    );
    const { commands } = await waiting;
    expect(commands.map((c) => c.id)).toEqual([queued.commandId]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await hostStub(agent.hostId).waiting()).toBe(0);
  });
});

describe("the agent's command socket", () => {
  it("sends a command down the open socket as soon as it is queued, once, and answers ping with pong", async () => {
    const t = await newTenant();
    await t.config({ recovery: { require_confirmation: true } });
    const agent = await t.enroll();
    await agent.report({ services: down });
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    const { ws, received, next } = await openSocket(agent);
    const pong = next();
    ws.send("ping");
    expect(await pong).toBe("pong");
    const arrived = next();
    const queued = await json<Queued>(
      "/api/healing/recover",
      { token: t.admin, body: { issue_id: issue.id, action: "auto" } },
      202,
    );
    const { commands } = JSON.parse(await arrived) as { commands: Command[] };
    expect(commands.map((c) => c.id)).toEqual([queued.commandId]);
    // delivered: neither the next report nor a long-poll hands it out again
    expect((await agent.report({ services: down })).commands).toEqual([]);
    ws.close(1000, "done");
    expect(received).toHaveLength(1);
  });

  it("sends a command again down the socket when it has no result by its re-delivery time, and not before", async () => {
    const t = await newTenant();
    await t.config({ recovery: { require_confirmation: true } });
    const agent = await t.enroll();
    await agent.report({ services: down });
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    const { ws, received } = await openSocket(agent);
    const queued = await json<Queued>(
      "/api/healing/recover",
      { token: t.admin, body: { issue_id: issue.id, action: "auto" } },
      202,
    );
    await expect.poll(() => received.length).toBe(1);
    const stub = hostStub(agent.hostId);
    // not due yet: the alarm sends nothing
    await runDurableObjectAlarm(stub);
    // the re-delivery time has come (the answer that carried it may never have arrived)
    const past = Date.now() - 31_000;
    await sql("UPDATE commands SET delivered_at = ? WHERE id = ?", past, queued.commandId);
    await runInDurableObject(stub, (_o, state) => state.storage.kv.put("redeliver-at", past + 30_000));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await expect.poll(() => received.length).toBe(2);
    expect(received.map((c) => c.map((x) => x.id))).toEqual([[queued.commandId], [queued.commandId]]);
    ws.close(1000, "done");
  });

  it("gets the health check's command down the socket while the check is still answering", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ services: down });
    const { ws, next } = await openSocket(agent);
    const arrived = next();
    await json("/api/healing/health-check", { token: t.admin, body: { host: agent.hostId } });
    const { commands } = JSON.parse(await arrived) as { commands: Command[] };
    expect(commands.map((c) => c.action)).toEqual(["health_check"]);
    ws.close(1000, "done");
  });

  it("refuses a plain GET and any token but an agent's", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    expect((await call("/api/v1/agent/commands/socket", { token: agent.token })).status).toBe(400);
    const admin = await call("/api/v1/agent/commands/socket", {
      token: t.admin,
      headers: { upgrade: "websocket" },
    });
    expect(admin.status).toBe(403);
  });
});

describe("a revoked agent token", () => {
  it("is refused by the host's object, whatever an isolate still holds resolved", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({}, 200);
    const { items } = await t.get<{ items: { id: string; scope: string }[] }>("/api/v1/tokens");
    const token = must(items.find((i) => i.scope === "agent"));
    await json(`/api/v1/tokens/${token.id}`, { token: t.admin, method: "DELETE" });
    // what another isolate, still holding the token resolved, would ask of the object
    const actor = { tokenId: token.id, name: "agent", scope: "agent" };
    const stub = hostStub(agent.hostId);
    expect(
      await stub.report(t.orgId, agent.hostId, { protocol: 1, samples: [], results: [] } as never, actor),
    ).toMatchObject({
      ok: false,
      code: "UNAUTHORIZED",
    });
    expect(await stub.waitForCommands(t.orgId, agent.hostId, token.id, 0)).toMatchObject({
      ok: false,
      code: "UNAUTHORIZED",
    });
  });
});

describe("a host object restarted between reports", () => {
  it("keeps the engine state, samples, services and issues it acknowledged", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const start = Date.now() - 400_000;
    const hot = (from: number, count: number) =>
      series(count, { cpu: 97 }, 10, start + (from + count - 1) * 10_000);
    // 200 s above 90 %: the engine is tracking the condition, not yet firing (300 s)
    await agent.report({ samples: hot(0, 21), services: down });
    const before = await hotState(agent.hostId);
    expect(before?.host.engineState).toBeTruthy();
    const open = async () => (await t.issues(`?host=${agent.hostId}`)).filter((i) => i.status !== "resolved");
    expect((await open()).map((i) => i.rule)).toEqual(["service_down"]);

    await abortAllDurableObjects();

    expect(await storedSamples(agent.hostId)).toBe(21);
    expect((await hotState(agent.hostId))?.host.engineState).toEqual(before?.host.engineState);
    // 110 s more: the tracked condition fires after the restart; the service issue stays one
    await agent.report({ samples: hot(21, 11), services: down });
    const rules = (await open()).map((i) => i.rule);
    expect(rules).toContain("cpu_spike");
    expect(rules.filter((r) => r === "service_down")).toHaveLength(1);
    expect(await storedSamples(agent.hostId)).toBe(32);
  });
});

describe("a host object evicted between reports", () => {
  it("gives the same engine state, its diagnostics' anomaly detectors included, as one that stayed up", async () => {
    const t = await newTenant();
    const [warm, cold] = [await t.enroll(), await t.enroll()];
    const start = Date.now() - 3_600_000;
    // cpu and load that wander, 4 samples a report: the built-in diagnostics' detectors learn them
    const batch = (r: number) =>
      Array.from({ length: 4 }, (_, k) => {
        const i = r * 4 + k;
        const cpu = 20 + 10 * Math.sin(i / 9) + ((i * 7919) % 11) + (i % 37 === 36 ? 50 : 0);
        return sample({ cpu, load1: cpu / 25 }, start + i * 10_000);
      });
    const reports = 25;
    for (let r = 0; r < reports; r++) await warm.report({ samples: batch(r) });
    for (let r = 0; r < reports; r++) {
      await cold.report({ samples: batch(r) });
      await abortAllDurableObjects(); // the next report starts a new object from its storage
    }
    const series = async (hostId: string) => (await hotState(hostId))?.host.engineState?.series;
    const kept = await series(warm.hostId);
    expect(kept?.cpu?.anomaly?.n).toBe(reports * 4);
    expect(kept?.load1?.anomaly?.n).toBe(reports * 4);
    expect(await series(cold.hostId)).toEqual(kept);
  });
});

describe("a host's history", () => {
  it("is kept in the host's object and read through it, not from D1", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ samples: series(5, { cpu: 42 }, 10, Date.now() - 60_000) });
    const [d1] = await sql("SELECT count(*) AS n FROM metric_samples WHERE host_id = ?", agent.hostId);
    expect(d1.n).toBe(0);
    const items = await t.samples(agent.hostId);
    expect(items.map((i) => i.metrics.cpu)).toEqual([42, 42, 42, 42, 42]);
  });

  it("keeps metrics with and without a column of their own, from a steady report and a backfill alike, once per ts", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const now = Date.now();
    const one = [sample({ cpu: 7, "net.rx": 1200, swap: 1.25, "disk:/var": 40.02 }, now - 300_000)];
    await agent.report({ samples: one });
    await agent.report({ samples: one }); // re-sent: ignored
    // a spool's backfill: more samples than a steady report carries, one of them already held
    const backfill = series(30, { cpu: 8, swap: 2.5 }, 5, now - 10_000);
    await agent.report({ samples: [...one, ...backfill] });
    const items = await t.samples(agent.hostId);
    expect(items).toHaveLength(31);
    expect(items[0].metrics).toEqual({
      cpu: 7,
      memory: 30,
      disk: 40,
      load1: 0.4,
      "net.rx": 1200,
      swap: 1.25,
      "disk:/var": 40.02,
    });
    expect(items.slice(1).every((i) => i.metrics.swap === 2.5 && i.metrics.cpu === 8)).toBe(true);
  });

  it("still serves D1's samples from before the host objects, ahead of the object's own", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const now = Date.now();
    await sql(
      "INSERT INTO metric_samples (host_id, ts, cpu) VALUES (?, ?, 11), (?, ?, 12)",
      ...[agent.hostId, now - 120_000, agent.hostId, now - 110_000],
    );
    await agent.report({ samples: [sample({ cpu: 13 }, now - 10_000)] });
    expect((await t.samples(agent.hostId)).map((i) => i.metrics.cpu)).toEqual([11, 12, 13]);
  });

  it("is rolled up and pruned by the object's alarm", async () => {
    const t = await newTenant();
    await t.config({ retention: { raw_days: 1 } });
    const agent = await t.enroll();
    const now = Date.now();
    const old = now - 2 * 86_400_000;
    const samples = [...series(3, { cpu: 10 }, 60, old), sample({ cpu: 20 }, now - 1000)];
    await agent.report({ reason: "backfill", samples });
    // an hour on, retention is due: the object's last run moved back, then its alarm run now
    await moveMarks(agent.hostId, { retainedAt: 0 });
    await abortAllDurableObjects(); // so the object reads its storage again
    await runDurableObjectAlarm(hostStub(agent.hostId));
    expect(await storedSamples(agent.hostId)).toBe(1);
    const minutes = await t.samples(
      agent.hostId,
      `?from=${new Date(now - 3 * 86_400_000).toISOString()}&resolution=minute`,
    );
    expect(minutes.map((m) => m.metrics.cpu)).toEqual([10, 10, 10, 20]);
  });
});

describe("the host summary in D1", () => {
  it("is written by the object's alarm after steady reports, not by the reports", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ samples: [sample({ cpu: 11 }, Date.now() - 2000)] });
    expect(await cpuInD1(agent.hostId)).toBe(11); // a host's first report writes it at once
    await agent.report({ samples: [sample({ cpu: 22 }, Date.now() - 1000)] });
    expect(await cpuInD1(agent.hostId)).toBe(11);
    // the alarm (set a moment after the report that finds the summary due, or late as a fallback)
    for (let i = 0; i < 2 && (await cpuInD1(agent.hostId)) !== 22; i++)
      await runDurableObjectAlarm(hostStub(agent.hostId));
    expect(await cpuInD1(agent.hostId)).toBe(22);
  });

  it("is written by the report that makes it due, after its answer, and the alarm stays a late fallback", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const alarmAt = () => runInDurableObject(hostStub(agent.hostId), (_o, state) => state.storage.getAlarm());
    await agent.report({ samples: [sample({ cpu: 11 }, Date.now() - 2000)] }); // written at once
    await agent.report({ samples: [sample({ cpu: 22 }, Date.now() - 1000)] });
    const written = must(await hotState(agent.hostId)).summaryAt;
    // not due yet: no alarm at the minute mark, when the object would have to be rebuilt for it
    expect(must(await alarmAt())).toBeGreaterThan(written + 120_000);
    // a minute on (the last write moved back), the next report finds the summary due
    await moveMarks(agent.hostId, { summaryAt: written - 61_000, uptimeFlushedAt: written - 61_000 });
    await abortAllDurableObjects(); // so the object reads its storage again
    const reportedAt = Date.now();
    await agent.report({ samples: [sample({ cpu: 33 }, Date.now() - 500)] });
    // no second invocation a moment later: the alarm is still minutes away
    expect(must(await alarmAt())).toBeGreaterThan(reportedAt + 60_000);
    await expect.poll(() => cpuInD1(agent.hostId), { timeout: 4000 }).toBe(33);
    expect(must(await hotState(agent.hostId)).summaryAt).toBeGreaterThanOrEqual(reportedAt);
  });

  it("is written by the alarm when D1 refused the report's write, and its mark waits for the write", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ samples: [sample({ cpu: 11 }, Date.now() - 2000)] }); // written at once
    await agent.report({ samples: [sample({ cpu: 22 }, Date.now() - 1000)] });
    const written = must(await hotState(agent.hostId)).summaryAt;
    await moveMarks(agent.hostId, { summaryAt: written - 61_000, uptimeFlushedAt: written - 61_000 });
    await abortAllDurableObjects(); // so the object reads its storage again
    // D1 itself refuses this host's summary (a real failure of the write, not a stand-in)
    const trigger = `refuse_summary_${agent.hostId.replace(/\W/g, "_")}`;
    await env.DB.exec(
      `CREATE TRIGGER ${trigger} BEFORE UPDATE ON hosts WHEN NEW.id = '${agent.hostId}' BEGIN SELECT RAISE(ABORT, 'summary refused'); END`,
    );
    try {
      // answered 200 (the harness checks): the report was stored, its answer does not wait for D1
      await agent.report({ samples: [sample({ cpu: 33 }, Date.now() - 500)] });
      // the write after the answer fails: D1 keeps the old summary, the mark stays where it was
      await runInDurableObject(hostStub(agent.hostId), async (object) => {
        await (object as unknown as { flushing: Promise<void> | null }).flushing;
      });
      expect(await cpuInD1(agent.hostId)).toBe(11);
      expect(must(await hotState(agent.hostId)).summaryAt).toBe(written - 61_000);
    } finally {
      await env.DB.exec(`DROP TRIGGER ${trigger}`);
    }
    // the alarm, the late fallback, writes it
    await runDurableObjectAlarm(hostStub(agent.hostId));
    expect(await cpuInD1(agent.hostId)).toBe(33);
    expect(must(await hotState(agent.hostId)).summaryAt).toBeGreaterThan(written);
  });

  it("moves its marks under their own key: the hot state a report wrote is not written again", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ samples: [sample({ cpu: 11 }, Date.now() - 2000)] });
    await agent.report({ samples: [sample({ cpu: 22 }, Date.now() - 1000)] });
    const stored = () =>
      runInDurableObject(hostStub(agent.hostId), (_o, state) => ({
        hot: must(state.storage.kv.get<Record<string, unknown>>("hot")),
        marks: must(state.storage.kv.get<Partial<HotState>>("hot-marks")),
      }));
    const before = await stored();
    expect(before.hot).not.toHaveProperty("summaryAt");
    // the summary written by the alarm moves its mark, and nothing else in storage
    await runInDurableObject(hostStub(agent.hostId), (_o, state) => state.storage.kv.put("hot", "sentinel"));
    await runDurableObjectAlarm(hostStub(agent.hostId));
    expect(await cpuInD1(agent.hostId)).toBe(22);
    const after = await stored();
    expect(after.hot).toBe("sentinel");
    expect(must(after.marks.summaryAt)).toBeGreaterThan(must(before.marks.summaryAt));
  });
});

describe("fleet pages", () => {
  it("read the hosts' summaries in D1 and wake no host object", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const id = env.HOST.idFromName(agent.hostId).toString();
    const objects = async () => (await listDurableObjectIds(env.HOST)).map((o) => o.toString());
    for (const path of [
      "/api/v1/hosts",
      "/api/healing/status",
      "/metrics",
      `/api/v1/hosts/${agent.hostId}`,
    ]) {
      const res = await call(path, { token: t.admin });
      expect(res.status, path).toBe(200);
    }
    expect(await objects()).not.toContain(id);
    await agent.report({ samples: [sample()] });
    expect(await objects()).toContain(id);
  });
});
