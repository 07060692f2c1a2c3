import { describe, expect, it } from "vitest";
import {
  type CacheFact,
  DEFAULT_THRESHOLDS,
  defaultRules,
  mapActions,
  type Rule,
  resolveChain,
  resolveTarget,
  type TargetFacts,
} from "../../agent/engine";
import { pushTrend, type TrendWindow } from "../../agent/engine/trend";
import { thresholdRule } from "./support/factories";

const MB = 1024 * 1024;
const caches: CacheFact[] = [
  { name: "thumbs", mount: "/mnt/cache", fsType: "ext4", bytes: 6 * MB },
  { name: "tiles", mount: "/mnt/cache", fsType: "ext4", bytes: 9 * MB },
  { name: "sessions", mount: "/run", fsType: "tmpfs", bytes: 2 * MB },
  { name: "root-tmp", mount: "/", fsType: "ext4", bytes: 50 * MB },
];
const facts = (metrics: Record<string, number>, extra: Partial<TargetFacts> = {}): TargetFacts => ({
  metrics,
  caches,
  ...extra,
});
const diskRule = thresholdRule({ id: "disk_full", metric: "disk", threshold: 95, actions: ["clear_cache"] });
const memRule = thresholdRule({ id: "mem", metric: "memory", threshold: 95 });
const leakRule: Rule = { ...memRule, kind: "growth", growthRate: 5 };

/** A trend of `points` samples a minute apart, rising by `perMinute` from `start`. */
function rising(start: number, perMinute: number, points = 10): TrendWindow {
  let w: TrendWindow = { pts: [], n: 0 };
  for (let i = 0; i < points; i++) w = pushTrend(w, i * 60_000, start + i * perMinute, 3_600_000);
  return w;
}

describe("the mount selector (caches on a full mount)", () => {
  it("picks the largest configured cache on the finding's mount and names the others", () => {
    const r = resolveTarget(
      diskRule,
      { target: "disk:/mnt/cache", metric: "disk:/mnt/cache" },
      "clear_cache",
      facts({}),
    );
    expect(r).toMatchObject({ target: "tiles" });
    expect("why" in r && r.why).toBe(
      "cache tiles (9.0 MB) is the largest of 2 caches on /mnt/cache; then thumbs 6.0 MB",
    );
  });

  it("on the host-wide disk finding, looks at every mount past the threshold, not at caches elsewhere", () => {
    const metrics = { disk: 97, "disk:/": 40, "disk:/mnt/cache": 97 };
    expect(
      resolveTarget(diskRule, { target: "", metric: "disk" }, "clear_cache", facts(metrics)),
    ).toMatchObject({
      target: "tiles",
    });
  });

  it("measures a cache on tmpfs like any other mount", () => {
    const metrics = { disk: 99, "disk:/": 40, "disk:/run": 99 };
    expect(
      resolveTarget(diskRule, { target: "", metric: "disk" }, "clear_cache", facts(metrics)),
    ).toMatchObject({
      target: "sessions",
    });
  });

  it("skips clear_cache with its reason when the full mount holds no configured cache", () => {
    const r = resolveTarget(diskRule, { target: "disk:/var", metric: "disk:/var" }, "clear_cache", facts({}));
    expect(r).toEqual({
      action: "clear_cache",
      skipped: "clear_cache needs a cache: no configured cache on /var",
    });
  });

  it("on a memory finding, clears caches that live in memory (tmpfs) only", () => {
    const r = resolveTarget(memRule, { target: "", metric: "memory" }, "clear_cache", facts({ memory: 97 }));
    expect(r).toMatchObject({ target: "sessions" });
  });

  it("says so when the agent reports no caches", () => {
    const r = resolveTarget(diskRule, { target: "", metric: "disk" }, "clear_cache", {
      metrics: { "disk:/": 99 },
    });
    expect(r).toMatchObject({ skipped: "clear_cache needs a cache: the agent has not reported its caches" });
  });
});

describe("the service selectors", () => {
  const metrics = {
    memory: 97,
    cpu: 95,
    "svc:api.rss": 300 * MB,
    "svc:db.rss": 900 * MB,
    "svc:api.cpu": 180,
    "svc:db.cpu": 20,
  };

  it("memory → the service with the largest RSS", () => {
    const r = resolveTarget(memRule, { target: "", metric: "memory" }, "restart_service", facts(metrics));
    expect(r).toMatchObject({ target: "db" });
    expect("why" in r && r.why).toContain("service db uses the largest RSS (900.0 MB); next: api 300.0 MB");
  });

  it("cpu → the service using the most CPU", () => {
    const cpuRule = thresholdRule({ metric: "cpu" });
    const r = resolveTarget(cpuRule, { target: "", metric: "cpu" }, "restart_service", facts(metrics));
    expect(r).toMatchObject({ target: "api" });
    expect("why" in r && r.why).toContain("the most CPU (180 % CPU)");
  });

  it("a leak rule on memory → the fastest-growing service, not the largest", () => {
    const series = {
      "svc:api.rss": { trend: rising(300 * MB, 5 * MB) },
      "svc:db.rss": { trend: rising(900 * MB, 0) },
    };
    const r = resolveTarget(
      leakRule,
      { target: "", metric: "memory" },
      "restart_service",
      facts(metrics, { series }),
    );
    expect(r).toMatchObject({ target: "api" });
    expect("why" in r && r.why).toMatch(/^service api grows fastest \(300\.0 MB\/h\)/);
  });

  it("a leak rule without any growing service falls back to the largest RSS and says so", () => {
    const series = { "svc:db.rss": { trend: rising(900 * MB, 0) } };
    const r = resolveTarget(
      leakRule,
      { target: "", metric: "memory" },
      "restart_service",
      facts(metrics, { series }),
    );
    expect(r).toMatchObject({ target: "db" });
    expect("why" in r && r.why).toMatch(/^no service's RSS is growing yet: service db uses the largest RSS/);
  });

  it("skips a restart when no service reports its RSS", () => {
    const r = resolveTarget(
      memRule,
      { target: "", metric: "memory" },
      "restart_service",
      facts({ memory: 97 }),
    );
    expect(r).toEqual({
      action: "restart_service",
      skipped: "restart_service needs a service: no service reports its RSS",
    });
  });

  it("a disk finding names no service: the restart is skipped", () => {
    const r = resolveTarget(diskRule, { target: "", metric: "disk" }, "restart_service", facts(metrics));
    expect(r).toEqual({
      action: "restart_service",
      skipped: "restart_service needs a service: a finding on disk names none",
    });
  });
});

describe("targets the rule or the finding names", () => {
  it("a rule's named target wins over any selector", () => {
    const rule = { ...memRule, target: { service: "web" } };
    expect(resolveTarget(rule, { target: "", metric: "memory" }, "restart_service", facts({}))).toEqual({
      action: "restart_service",
      target: "web",
      why: "service web, named by the rule",
    });
  });

  it("a rule's selector replaces the one its metric would get", () => {
    const rule = { ...memRule, target: { select: "top_cpu" as const } };
    const metrics = { "svc:api.rss": 1, "svc:db.rss": 9, "svc:api.cpu": 90, "svc:db.cpu": 1 };
    expect(
      resolveTarget(rule, { target: "", metric: "memory" }, "restart_service", facts(metrics)),
    ).toMatchObject({
      target: "api",
    });
  });

  it("a finding on a service's metric, a config's drift or a service acts on it", () => {
    expect(
      resolveTarget(leakRule, { target: "svc:api.rss", metric: "svc:api.rss" }, "restart_service", facts({})),
    ).toMatchObject({ target: "api", why: "the finding is on service api" });
    expect(
      resolveTarget(
        undefined,
        { target: "config:app.drift", metric: "config:app.drift" },
        "reset_config",
        facts({}),
      ),
    ).toMatchObject({ target: "app" });
    expect(
      resolveTarget(undefined, { target: "web", service: true }, "restart_service", facts({})),
    ).toMatchObject({ target: "web" });
  });

  it("an action that takes no target needs none", () => {
    expect(resolveTarget(memRule, { target: "", metric: "memory" }, "emergency_shutdown", facts({}))).toEqual(
      {
        action: "emergency_shutdown",
        target: null,
        why: "emergency_shutdown takes no target",
      },
    );
  });
});

describe("the action chain", () => {
  it("runs the seed's memory_leak as: tmpfs cache, then the leaking service, then the shutdown", () => {
    const metrics = { memory: 97, "svc:api.rss": 300 * MB };
    const { steps, skipped } = resolveChain(
      leakRule,
      { target: "", metric: "memory" },
      ["clear_cache", "restart_service", "emergency_shutdown"],
      facts(metrics),
    );
    expect(steps.map((s) => [s.action, s.target])).toEqual([
      ["clear_cache", "sessions"],
      ["restart_service", "api"],
      ["emergency_shutdown", null],
    ]);
    expect(skipped).toEqual([]);
  });

  it("moves past an action without a target instead of sending it", () => {
    const noTmpfs = caches.filter((c) => c.fsType !== "tmpfs");
    const { steps, skipped } = resolveChain(
      leakRule,
      { target: "", metric: "memory" },
      ["clear_cache", "restart_service"],
      { metrics: { "svc:api.rss": 1 }, caches: noTmpfs },
    );
    expect(steps.map((s) => s.action)).toEqual(["restart_service"]);
    expect(skipped).toEqual([
      {
        action: "clear_cache",
        reason: "clear_cache needs a cache: no configured cache on a memory-backed filesystem (tmpfs, ramfs)",
      },
    ]);
  });

  it("runs the seed's scale_resources as the action webhook of that name, or skips it when there is none", () => {
    expect(mapActions(["restart_service", "scale_resources"], new Set(["scale_resources"]))).toEqual({
      actions: ["restart_service", "webhook:scale_resources"],
      skipped: [],
    });
    expect(mapActions(["restart_service", "scale_resources"], new Set())).toEqual({
      actions: ["restart_service"],
      skipped: [
        {
          action: "scale_resources",
          reason:
            "scale_resources is not an agent action and no action webhook named scale_resources is configured",
        },
      ],
    });
  });

  it("gives a webhook the service the finding points at", () => {
    const cpuRule = thresholdRule({ metric: "cpu" });
    const { steps } = resolveChain(
      cpuRule,
      { target: "", metric: "cpu" },
      ["webhook:scale_resources"],
      facts({ "svc:api.cpu": 50 }),
    );
    expect(steps).toMatchObject([{ action: "webhook:scale_resources", target: "api" }]);
  });
});

describe("the built-in healing defaults", () => {
  const byId = new Map(defaultRules(DEFAULT_THRESHOLDS).map((r) => [r.id, r]));
  it("clear a cache on a full disk, restart on a leak or memory exhaustion, validate then reset drifted config", () => {
    expect(byId.get("disk_critical")?.actions).toEqual(["clear_cache"]);
    expect(byId.get("memory_critical")?.actions).toEqual(["restart_service"]);
    expect(byId.get("process_memory_leak")?.actions).toEqual(["restart_service"]);
    expect(byId.get("config_drift")).toMatchObject({
      metric: "config:*.drift",
      actions: ["validate_config", "reset_config"],
    });
  });
});
