import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { GateSchema, GateWatchSchema } from "../../worker/schemas/gates";
import { call, expectError, json, newTenant, sample, service, sql } from "./support/harness";

type Gate = z.infer<typeof GateSchema>;
type Watch = z.infer<typeof GateWatchSchema>;

async function fleetOf(names: string[], group = "web") {
  const t = await newTenant();
  const agents = [];
  for (const name of names) {
    const a = await t.enroll(name);
    await json(`/api/v1/hosts/${a.hostId}`, { method: "PATCH", token: t.admin, body: { group } });
    agents.push(a);
  }
  return { t, agents };
}

describe("the deploy gate", () => {
  it("passes a healthy group", async () => {
    const { t, agents } = await fleetOf(["w1", "w2"]);
    for (const a of agents) await a.report({ services: [service("nginx", "up")] });
    const gate = await json<Gate>("/api/v1/gate?group=web", { token: t.admin });
    expect(gate).toMatchObject({ pass: true, reasons: [] });
    expect(gate.hosts.map((h) => h.name).sort()).toEqual(["w1", "w2"]);
  });

  it("fails with reasons: a service down with its high issue, and health below the threshold", async () => {
    const { t, agents } = await fleetOf(["w1", "w2"]);
    await agents[0].report({ services: [service("nginx", "down")] });
    await agents[1].report({ samples: [sample({ cpu: 99, memory: 99, disk: 50 })] });
    const gate = await json<Gate>("/api/v1/gate?group=web&min_health=60", { token: t.admin });
    expect(gate.pass).toBe(false);
    expect(gate.reasons.join("\n")).toMatch(/w1: open high issue iss_\w+/);
    expect(gate.reasons).toContain("w1: service nginx is down");
    expect(gate.reasons.join("\n")).toMatch(/w2: health [\d.]+ below 60/);
  });

  it("answers 404 for a group without hosts, and read tokens may ask", async () => {
    const { t } = await fleetOf(["w1"]);
    const reader = await t.token("read");
    await expectError(await call("/api/v1/gate?group=nope", { token: reader }), 404, "NOT_FOUND");
    await json("/api/v1/gate?group=web", { token: reader });
    await expectError(
      await call("/api/v1/hosts/w1", { method: "PATCH", token: reader, body: { group: "x" } }),
      403,
      "FORBIDDEN",
    );
  });
});

describe("the post-deploy watch", () => {
  it("is watching during the window, then passes when health held", async () => {
    const { t, agents } = await fleetOf(["w1"]);
    await agents[0].report();
    const watch = await json<Watch>(
      "/api/v1/gate/watch",
      { token: t.admin, body: { group: "web", windowSeconds: 60 } },
      201,
    );
    expect(watch.status).toBe("watching");
    expect(watch.healthBefore).toEqual(expect.any(Number));
    await agents[0].report();
    await sql("UPDATE gate_watches SET ends_at = ? WHERE id = ?", Date.now() - 1, watch.id);
    const done = await json<Watch>(`/api/v1/gate/watch/${watch.id}`, { token: t.admin });
    expect(done).toMatchObject({ status: "passed", reasons: [] });
  });

  it("fails when health drops past the allowed drop during the window", async () => {
    const { t, agents } = await fleetOf(["w1"]);
    await agents[0].report();
    const watch = await json<Watch>(
      "/api/v1/gate/watch",
      { token: t.admin, body: { group: "web", windowSeconds: 60, baseline: 90, maxDrop: 5 } },
      201,
    );
    await agents[0].report({ samples: [sample({ cpu: 95, memory: 95 })] });
    const now = await json<Watch>(`/api/v1/gate/watch/${watch.id}`, { token: t.admin });
    expect(now.status).toBe("failed");
    expect(now.reasons.join()).toMatch(/health dropped from 90 to/);
    expect(now.healthMin).toBeLessThan(85);
  });
});
