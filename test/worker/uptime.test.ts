import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HostObject } from "../../worker/objects/host";
import { parseExposition } from "../support/prom-parse";
import { type Agent, call, type HealingMetrics, hostStub, newTenant, service, sql } from "./support/harness";

/** The host's previous report was `ms` ago, as its object remembers it (time moved along). */
async function lastReportAgo(agent: Agent, ms: number) {
  await runInDurableObject(hostStub(agent.hostId), async (object: HostObject, state) => {
    const hot = (object as unknown as { hot: { host: { lastSeenAt: number } } }).hot;
    hot.host.lastSeenAt = Date.now() - ms;
    state.storage.kv.put("hot", hot);
  });
}

describe("availability", () => {
  it("counts a host's reported time over its life (silent time is down) and a service's up time over its known time, in the metrics and the Prometheus gauges", async () => {
    const t = await newTenant();
    await t.config({ host_offline: { after_seconds: 300 } });
    const agent = await t.enroll("uptime-1");
    await sql("UPDATE hosts SET created_at = ? WHERE id = ?", Date.now() - 600_000, agent.hostId);
    await agent.report({ services: [service("nginx", "up")] });
    await lastReportAgo(agent, 60_000);
    await agent.report({ services: [service("nginx", "down")] }); // 60 s seen, nginx up for them
    await lastReportAgo(agent, 30_000);
    await agent.report({ services: [service("nginx", "up")] }); // 30 s seen, nginx down for them
    await lastReportAgo(agent, 400_000);
    await agent.report({ services: [service("nginx", "up")] }); // 400 s silent: nothing seen, nginx unknown
    await runDurableObjectAlarm(hostStub(agent.hostId)); // the once-a-minute flush

    const { availability } = await t.get<HealingMetrics>("/api/healing/metrics");
    const [host] = availability.hosts;
    expect(host.name).toBe("uptime-1");
    // 90 s seen of its 600 s
    expect(host.availability["24h"]).toBeCloseTo(0.15, 2);
    expect(host.availability["30d"]).toBeCloseTo(0.15, 2);
    expect(host.services).toEqual([
      {
        name: "nginx",
        availability: {
          "24h": expect.closeTo(2 / 3, 3),
          "7d": expect.closeTo(2 / 3, 3),
          "30d": expect.closeTo(2 / 3, 3),
        },
      },
    ]);
    expect(availability.fleet["24h"]).toBeCloseTo(0.15, 2);

    const samples = parseExposition(await (await call("/metrics", { token: t.admin })).text());
    const gauge = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value;
    expect(gauge("selfheal_host_availability_ratio", { host: "uptime-1", window: "24h" })).toBeCloseTo(
      0.15,
      2,
    );
    expect(gauge("selfheal_service_availability_ratio", { service: "nginx", window: "7d" })).toBeCloseTo(
      2 / 3,
      3,
    );
    expect(gauge("selfheal_fleet_availability_ratio", { window: "30d" })).toBeCloseTo(0.15, 2);
  });

  it("a host that reported all the time it existed is available 100 %", async () => {
    const t = await newTenant();
    await t.config({ host_offline: { after_seconds: 300 } });
    const agent = await t.enroll("uptime-2");
    await sql("UPDATE hosts SET created_at = ? WHERE id = ?", Date.now() - 120_000, agent.hostId);
    await agent.report({ services: [service("nginx", "up")] });
    await lastReportAgo(agent, 120_000); // its previous report came at enrolment
    await agent.report({ services: [service("nginx", "up")] });
    await runDurableObjectAlarm(hostStub(agent.hostId));
    const { availability } = await t.get<HealingMetrics>("/api/healing/metrics");
    expect(availability.hosts[0].availability["24h"]).toBeGreaterThan(0.99);
    expect(availability.hosts[0].services[0].availability["24h"]).toBe(1);
  });
});
