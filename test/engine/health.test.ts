import { describe, expect, it } from "vitest";
import { DEFAULT_THRESHOLDS, defaultRules, healthScore, healthStatus } from "../../agent/engine";

describe("healthScore (the seed's formula)", () => {
  it("averages CPU, memory and disk headroom with a full service score when all services are up", () => {
    expect(healthScore({ cpu: 20, memory: 40, disk: 60 }, [{ name: "web", status: "up" }])).toBe(70);
  });

  it("halves the service score when any service is down", () => {
    expect(healthScore({ cpu: 0, memory: 0, disk: 0 }, [{ name: "web", status: "down" }])).toBe(87.5);
  });

  it("does not count a service stopped on purpose as down", () => {
    expect(
      healthScore({ cpu: 0, memory: 0, disk: 0 }, [{ name: "web", status: "down", stopped: true }]),
    ).toBe(100);
  });

  it("clamps usage to 0-100 and is null without a sample", () => {
    expect(healthScore({ cpu: 150, memory: -5, disk: 100 }, [])).toBe(50);
    expect(healthScore(undefined, [])).toBeNull();
  });
});

describe("healthStatus", () => {
  it("is critical with an open critical issue or a very low score", () => {
    expect(healthStatus(95, ["critical"])).toBe("critical");
    expect(healthStatus(30, [])).toBe("critical");
  });

  it("is degraded with an open high or medium issue or a low score", () => {
    expect(healthStatus(95, ["medium"])).toBe("degraded");
    expect(healthStatus(65, [])).toBe("degraded");
  });

  it("is healthy with only low issues and a good score", () => {
    expect(healthStatus(90, ["low"])).toBe("healthy");
    expect(healthStatus(null, [])).toBe("healthy");
  });
});

describe("defaultRules", () => {
  it("derives the built-in rules from the org's thresholds", () => {
    const rules = defaultRules({ ...DEFAULT_THRESHOLDS, cpu_critical: 85 });
    const spike = rules.find((r) => r.id === "cpu_spike");
    expect(spike).toMatchObject({
      metric: "cpu",
      threshold: 85,
      clearThreshold: 80,
      durationSeconds: 300,
      severity: "high",
    });
    expect(rules.find((r) => r.id === "service_down")).toMatchObject({
      service: "*",
      actions: ["restart_service"],
    });
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  });
});

describe("built-in predictive rules", () => {
  const rules = defaultRules(DEFAULT_THRESHOLDS);

  it("forecast every disk mount six hours ahead over a two-hour trend", () => {
    expect(rules.find((r) => r.id === "disk_filling")).toMatchObject({
      kind: "forecast",
      metric: "disk:*",
      horizonSeconds: 6 * 3600,
      windowSeconds: 2 * 3600,
      severity: "medium",
      builtin: true,
    });
  });

  it("forecast memory an hour ahead and restart any service process leaking 5 %/h", () => {
    expect(rules.find((r) => r.id === "memory_exhaustion_forecast")).toMatchObject({
      kind: "forecast",
      metric: "memory",
      horizonSeconds: 3600,
      windowSeconds: 3600,
    });
    expect(rules.find((r) => r.id === "process_memory_leak")).toMatchObject({
      kind: "growth",
      metric: "svc:*.rss",
      growthRate: 5,
      severity: "high",
      actions: ["restart_service"],
    });
  });

  it("hand out copies, so one caller's edit never leaks into another's rules", () => {
    const a = defaultRules(DEFAULT_THRESHOLDS);
    a[0].actions.push("x");
    const leak = a.find((r) => r.id === "process_memory_leak");
    if (leak) leak.growthRate = 50;
    expect(defaultRules(DEFAULT_THRESHOLDS).find((r) => r.id === "process_memory_leak")?.growthRate).toBe(5);
  });
});
