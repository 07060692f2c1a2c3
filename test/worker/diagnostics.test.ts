import { describe, expect, it } from "vitest";
import { type Issue, must, newTenant, sample, service, type Tenant } from "./support/harness";
import { createRules, MIN, minutes, noise, rule } from "./support/rules-harness";

const byRule = async (t: Tenant, hostId: string) =>
  Object.fromEntries((await t.issues(`?host=${hostId}`)).map((i) => [i.rule, i])) as Record<string, Issue>;

describe("diagnostics in issues", () => {
  it("opens a growth issue from a service process's RSS and restarts that service", async () => {
    const t = await newTenant();
    await createRules(t, {
      id: "api_leak",
      kind: "growth",
      metric: "svc:*.rss",
      growthRate: 5,
      windowSeconds: 3600,
      severity: "high",
      actions: ["restart_service"],
    });
    const agent = await t.enroll();
    // 200 MB growing 20 MB an hour: 10 %/h.
    const samples = minutes(70, (i) => ({ "svc:api.rss": 200e6 + (20e6 * i) / 60 }), Date.now() - 70 * MIN);
    const { commands } = await agent.report({ reason: "backfill", samples });
    const issues = await byRule(t, agent.hostId);
    expect(issues.api_leak).toMatchObject({ target: "svc:api.rss", status: "recovering" });
    expect(issues.api_leak.explanation.evidence).toMatchObject({
      extra: { ratePerHour: expect.any(Number) },
    });
    expect(issues.api_leak.explanation.rule.condition).toBe("svc:*.rss grows ≥ 5 %/h (trend over 60 min)");
    // The built-in leak rule (which would restart it too) is a symptom of the same incident.
    expect(issues.process_memory_leak.incident).toMatchObject({ key: "api_leak|svc:api.rss", cause: false });
    expect(commands).toEqual([expect.objectContaining({ action: "restart_service", target: "api" })]);
  });

  it("warns that /var will be full before any disk threshold is crossed", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    // 50 % rising 10 points an hour: full in ~5 h, inside the 6 h horizon.
    const samples = minutes(
      40,
      (i) => ({ disk: 40, "disk:/var": 50 + (10 * i) / 60 }),
      Date.now() - 40 * MIN,
    );
    await agent.report({ reason: "backfill", samples });
    const issues = await t.issues(`?host=${agent.hostId}`);
    expect(issues.map((i) => i.rule)).toEqual(["disk_filling"]);
    const [filling] = issues;
    expect(filling).toMatchObject({ target: "disk:/var", severity: "medium", status: "open" });
    expect(filling.summary).toMatch(/disk:\/var will reach 100 in ~\d+ h/);
    expect(filling.explanation.rule).toMatchObject({ kind: "forecast", id: "disk_filling" });
    expect(filling.explanation.evidence).toMatchObject({
      value: expect.any(Number),
      window: expect.any(Array),
      extra: { etaSeconds: expect.any(Number), slopePerHour: expect.any(Number) },
    });
    expect(must(filling.explanation.evidence.value as number)).toBeLessThan(60);
    expect(filling.explanation.plan).toEqual({
      actions: [],
      next: null,
      why: "the rule names no recovery action: notify only",
    });
  });

  it("fires a baseline rule only after learning what is normal for the host", async () => {
    const t = await newTenant();
    await createRules(
      t,
      rule({
        id: "cpu_abnormal",
        kind: "baseline",
        quantile: 0.99,
        factor: 1.5,
        threshold: 20,
        durationSeconds: 120,
      }),
    );
    const agent = await t.enroll();
    const rnd = noise(5);
    const start = Date.now() - 700 * MIN;
    await agent.backfill(minutes(600, () => ({ cpu: 20 + rnd() * 4 }), start));
    expect(await t.issues(`?host=${agent.hostId}`)).toEqual([]);
    await agent.report({ samples: minutes(5, () => ({ cpu: 60 }), start + 600 * MIN) });
    const issues = await byRule(t, agent.hostId);
    expect(issues.cpu_abnormal.explanation.evidence).toMatchObject({
      extra: { baseline: expect.any(Number) },
    });
    expect(issues.cpu_abnormal.summary).toMatch(/cpu 60 above its p99 baseline/);
  });

  it("opens an anomaly issue with the detector's score", async () => {
    const t = await newTenant();
    await createRules(
      t,
      rule({ id: "latency_odd", kind: "anomaly", metric: "latency", minScore: 0.5, threshold: undefined }),
    );
    const agent = await t.enroll();
    const start = Date.now() - 900 * MIN;
    await agent.backfill(minutes(800, (i) => ({ latency: 100 + (i % 4) }), start));
    expect(await t.issues(`?host=${agent.hostId}`)).toEqual([]);
    await agent.report({ samples: minutes(1, () => ({ latency: 900 }), start + 800 * MIN) });
    const issues = await byRule(t, agent.hostId);
    expect(issues.latency_odd.explanation.evidence).toMatchObject({ extra: { score: expect.any(Number) } });
    expect(issues.latency_odd.explanation.rule.condition).toBe("latency anomaly score ≥ 0.5");
  });

  it("holds recovery of a flapping issue and resolves it once it has settled", async () => {
    const t = await newTenant();
    const flappy = rule({
      id: "cpu_flappy",
      flapCount: 3,
      flapWindowSeconds: 600,
      actions: ["restart_service"],
    });
    await createRules(t, flappy);
    const agent = await t.enroll();
    const start = Date.now() - 30 * MIN;
    const alternating = minutes(8, (i) => ({ cpu: i % 2 === 0 ? 99 : 10 }), start);
    const { commands } = await agent.report({ reason: "backfill", samples: alternating });
    expect(commands).toEqual([]);
    const open = must((await t.issues(`?host=${agent.hostId}&status=active`))[0]);
    expect(open).toMatchObject({ rule: "cpu_flappy", flapping: true, status: "open", attempts: 0 });
    expect(open.explanation.plan).toMatchObject({ next: null, why: "held: flapping" });
    // Still breaching: still held.
    expect(
      (await agent.report({ samples: minutes(1, () => ({ cpu: 99 }), start + 8 * MIN) })).commands,
    ).toEqual([]);
    // Calm for the flap window: the engine says it settled.
    await agent.report({ samples: minutes(12, () => ({ cpu: 10 }), start + 9 * MIN) });
    expect(await t.issues(`?host=${agent.hostId}&status=active`)).toEqual([]);
    expect((await t.issue(open.id)).status).toBe("resolved");
  });

  it("makes a service down and its failing check one incident, recovering only the cause", async () => {
    const t = await newTenant();
    await createRules(
      t,
      rule({
        id: "web_check",
        metric: "check:web.http",
        op: "below",
        threshold: 1,
        actions: ["restart_service"],
      }),
    );
    const agent = await t.enroll();
    const { commands } = await agent.report({
      samples: [sample({ "check:web.http": 0 })],
      services: [service("web", "down", { detail: "inactive (dead)" })],
    });
    expect(commands).toEqual([expect.objectContaining({ action: "restart_service", target: "web" })]);
    const issues = await byRule(t, agent.hostId);
    const down = issues.service_down;
    const check = issues.web_check;
    expect(down.incident).toEqual({
      key: "service_down|web",
      cause: true,
      related: [check.id],
      probableCause: "Probable cause: Service down: web — inactive (dead) (+1 related symptom)",
    });
    expect(check.incident).toMatchObject({ key: "service_down|web", cause: false, related: [down.id] });
    expect(check).toMatchObject({ status: "open", attempts: 0 });
    expect(check.explanation.plan.why).toMatch(/^held: a symptom/);
    expect(down.explanation).toMatchObject({
      rule: { id: "service_down", kind: "service", condition: "any service down" },
      evidence: { service: "web", detail: "inactive (dead)" },
      plan: { actions: ["restart_service"], next: "restart_service", why: "attempt 2 of 3" },
    });
  });
});
