import { describe, expect, it } from "vitest";
import {
  type HealthCheck,
  json,
  must,
  newTenant,
  result,
  sample,
  series,
  service,
  sql,
} from "./support/harness";

describe("the report pipeline", () => {
  it("stores a backfill of many samples and ignores them when re-sent", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const samples = series(1500, { cpu: 20 }, 5);
    await agent.backfill(samples);
    await agent.report({ reason: "backfill", samples: samples.slice(0, 500) });
    const items = await t.samples(agent.hostId, "?limit=5000");
    expect(items).toHaveLength(1500);
    expect(items[0].ts).toBe(samples[0].ts);
    expect(must(items.at(-1)).ts).toBe(must(samples.at(-1)).ts);
    expect(items[0].metrics).toEqual({ cpu: 20, memory: 30, disk: 40, load1: 0.4 });
  });

  it("keeps metrics without a column of their own and takes the newest sample as the host's metrics", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const now = Date.now();
    await agent.report({
      samples: [sample({ cpu: 50, "net.rx": 1200, "disk:/var": 71 }, now), sample({ cpu: 10 }, now - 60_000)],
    });
    const host = await t.host(agent.hostId);
    expect(host.metrics).toMatchObject({ cpu: 50, "net.rx": 1200, "disk:/var": 71 });
    const items = await t.samples(agent.name);
    expect(items.map((s) => s.metrics.cpu)).toEqual([10, 50]);
    expect(items[1].metrics["disk:/var"]).toBe(71);
    // An older backfill does not replace the latest metrics.
    await agent.report({ samples: [sample({ cpu: 99 }, now - 120_000)] });
    expect((await t.host(agent.hostId)).metrics).toMatchObject({ cpu: 50 });
  });

  it("opens a threshold issue only after the rule's duration has passed", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const start = Date.now() - 400_000;
    const hot = (from: number, count: number) =>
      series(count, { cpu: 97 }, 10, start + (from + count - 1) * 10_000);
    await agent.report({ samples: hot(0, 21) }); // 200 s above 90 %
    expect(await t.issues(`?host=${agent.hostId}`)).toEqual([]);
    await agent.report({ samples: hot(21, 11) }); // now 310 s
    const items = await t.issues(`?host=${agent.hostId}`);
    const spike = must(items.find((i) => i.rule === "cpu_spike"));
    expect(spike).toMatchObject({ severity: "high", status: "open", target: null, actions: [] });
    expect(spike.evidence).toMatchObject({ metric: "cpu", threshold: 90, durationSeconds: 300 });
  });

  it("resolves a condition that opened and cleared within one backfill, in the samples' time", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const start = Date.now() - 600_000;
    const samples = [
      ...series(8, { disk: 99 }, 10, start + 70_000),
      ...series(3, { disk: 50 }, 10, start + 100_000),
    ];
    await agent.report({ reason: "backfill", samples });
    const items = await t.issues(`?host=${agent.hostId}`);
    const byRule = Object.fromEntries(items.map((i) => [i.rule, i]));
    // disk_critical holds from the first sample, disk_warning only after its 60 s; both clear at +80 s.
    expect(byRule.disk_critical).toMatchObject({ status: "resolved", mttrSeconds: 80 });
    expect(byRule.disk_warning).toMatchObject({ status: "resolved", mttrSeconds: 20 });
    expect(items).toHaveLength(2);
  });

  it("hands the host's object the body as validated: defaults filled in, control characters gone", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    // no `results` and no `reason`: the object's pipeline reads zod's defaults ([] and "interval")
    const { commands } = await agent.report({
      services: [service("nginx", "up", { detail: "active\u0007\u202e now\nnext" })],
    });
    expect(commands).toEqual([]);
    const [nginx] = (await t.host(agent.hostId)).services;
    expect(nginx.detail).toBe("active now next");
    expect(nginx.stopped).toBe(false);
  });

  it("does not treat a service stopped on purpose as down", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const { commands } = await agent.report({ services: [service("backup", "down", { stopped: true })] });
    expect(commands).toEqual([]);
    expect(await t.issues(`?host=${agent.hostId}`)).toEqual([]);
  });

  it("moves a service's changedAt only when its status changes, and drops services no longer reported", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ services: [service("nginx", "up"), service("redis", "up")] });
    const before = (await t.host(agent.hostId)).services;
    await new Promise((r) => setTimeout(r, 5));
    await agent.report({ services: [service("nginx", "up", { detail: "active" })] });
    const after = (await t.host(agent.hostId)).services;
    expect(after).toEqual([{ ...before[0], detail: "active" }]);
    await agent.report({ reason: "backfill", samples: [sample()] }); // no services: left as they were
    expect((await t.host(agent.hostId)).services).toHaveLength(1);
    await agent.report({ services: [service("nginx", "unknown")] });
    const changed = (await t.host(agent.hostId)).services[0];
    expect(Date.parse(changed.changedAt)).toBeGreaterThan(Date.parse(before[0].changedAt));
  });

  it("times out a delivered command after two minutes without a result and tries again", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const down = [service("nginx", "down")];
    const first = await agent.report({ services: down });
    await sql("UPDATE commands SET delivered_at = delivered_at - 180000 WHERE id = ?", first.commands[0].id);
    const second = await agent.report({ services: down });
    expect(second.commands).toHaveLength(1);
    const [old] = await sql("SELECT status FROM commands WHERE id = ?", first.commands[0].id);
    expect(old.status).toBe("timed_out");
    const history = await t.history(`?host=${agent.hostId}`);
    expect(history.map((h) => h.status)).toEqual(["pending", "timed_out"]);
  });

  it("hands out a health_check command after POST /health-check, without a history row", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ samples: [sample({ cpu: 75, memory: 96 })], services: [service("nginx", "up")] });
    const check = await json<HealthCheck>("/api/healing/health-check", {
      token: t.admin,
      body: { components: ["cpu", "memory", "services"], host: agent.name },
    });
    expect(check.hosts[0]).toMatchObject({
      id: agent.hostId,
      sampleRequested: true,
      components: {
        cpu: { value: 75, status: "degraded" },
        memory: { value: 96, status: "critical" },
        services: { value: 0, status: "healthy" },
      },
    });
    expect(Object.keys(check.hosts[0].components)).toHaveLength(3);
    const { commands } = await agent.report();
    expect(commands).toEqual([expect.objectContaining({ action: "health_check", issueId: null })]);
    await agent.report({ results: [result(commands[0].id, "succeeded")] });
    const [row] = await sql("SELECT status FROM commands WHERE id = ?", commands[0].id);
    expect(row.status).toBe("succeeded");
    expect(await t.history()).toEqual([]);
  });

  it("answers with the org's settings and the server time", async () => {
    const t = await newTenant();
    await t.config({ monitoring_interval: 60, alert_thresholds: { cpu_warning: 75 } });
    const agent = await t.enroll();
    const response = await agent.report();
    expect(response.settings).toEqual({
      enabled: true,
      intervalSeconds: 60,
      thresholds: {
        cpu_warning: 75,
        cpu_critical: 90,
        memory_warning: 80,
        memory_critical: 95,
        disk_warning: 85,
        disk_critical: 95,
      },
      unattended: ["restart_service"],
    });
    expect(Math.abs(Date.parse(response.serverTime) - Date.now())).toBeLessThan(5000);
  });
});
