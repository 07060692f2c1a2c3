import { describe, expect, it } from "vitest";
import {
  call,
  expectError,
  json,
  must,
  newTenant,
  type Queued,
  series,
  type Tenant,
} from "./support/harness";

const MB = 1024 * 1024;
const issuesOf = (t: Tenant, hostId: string) => t.issues(`?host=${hostId}`);
const caches = [
  { name: "thumbs", mount: "/mnt/cache", fsType: "ext4", bytes: 6 * MB },
  { name: "tiles", mount: "/mnt/cache", fsType: "ext4", bytes: 9 * MB },
  { name: "sessions", mount: "/run", fsType: "tmpfs", bytes: 2 * MB },
];

/** The seed's diagnostic_rules document, verbatim. */
const SEED_RULES = {
  cpu_spike: {
    threshold: 90.0,
    duration: 300,
    severity: "high",
    actions: ["restart_service", "scale_resources"],
  },
  memory_leak: {
    threshold: 95.0,
    growth_rate: 5.0,
    severity: "critical",
    actions: ["clear_cache", "restart_service", "emergency_shutdown"],
  },
};

describe("recovery targets for host-wide findings", () => {
  it("clears the largest configured cache on a full mount (the built-in disk default) and explains the choice", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const { commands } = await agent.report({
      samples: series(1, { disk: 97, "disk:/": 40, "disk:/mnt/cache": 97 }),
      caches,
    });
    const issue = must((await issuesOf(t, agent.hostId)).find((i) => i.rule === "disk_critical"));
    expect(commands).toMatchObject([{ action: "clear_cache", target: "tiles", issueId: issue.id }]);
    const detail = await t.issue(issue.id);
    expect(detail.explanation?.plan).toMatchObject({
      target: "tiles",
      targetWhy: "cache tiles (9.0 MB) is the largest of 2 caches on /mnt/cache; then thumbs 6.0 MB",
    });
  });

  it("sends nothing when the full mount holds no configured cache, and says why", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const { commands } = await agent.report({ samples: series(1, { disk: 99, "disk:/": 99 }), caches });
    expect(commands).toEqual([]);
    const issue = must((await issuesOf(t, agent.hostId)).find((i) => i.rule === "disk_critical"));
    expect(issue.status).toBe("open");
    const detail = await t.issue(issue.id);
    expect(detail.explanation?.plan).toMatchObject({
      next: null,
      why: "skipped: clear_cache needs a cache: no configured cache on /",
      skipped: [{ action: "clear_cache", reason: "clear_cache needs a cache: no configured cache on /" }],
    });
  });

  it("restarts the service with the largest RSS on memory exhaustion (the built-in memory default)", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const metrics = { memory: 97, "svc:api.rss": 300 * MB, "svc:db.rss": 900 * MB };
    const { commands } = await agent.report({ samples: series(8, metrics) });
    expect(commands).toMatchObject([{ action: "restart_service", target: "db" }]);
  });

  it("aims a manual /recover 'auto' at the same selected target when automatic recovery is off", async () => {
    const t = await newTenant();
    await t.config({ recovery: { auto_recovery: false, require_confirmation: false } });
    const agent = await t.enroll();
    const metrics = { memory: 97, "svc:api.rss": 300 * MB, "svc:db.rss": 900 * MB };
    expect((await agent.report({ samples: series(8, metrics) })).commands).toEqual([]);
    const issue = must((await issuesOf(t, agent.hostId)).find((i) => i.rule === "memory_critical"));
    const queued = await json<Queued>(
      "/api/healing/recover",
      { token: t.admin, body: { issue_id: issue.id, action: "auto" } },
      202,
    );
    expect(queued).toMatchObject({ action: "restart_service", target: "db" });
  });

  it("in the production profile, that restart waits for approval", async () => {
    const t = await newTenant();
    await t.config({ profile: "production" });
    const agent = await t.enroll();
    const metrics = { memory: 97, "svc:api.rss": 300 * MB, "svc:db.rss": 900 * MB };
    const { commands } = await agent.report({ samples: series(8, metrics) });
    expect(commands).toEqual([]);
    const issue = must((await issuesOf(t, agent.hostId)).find((i) => i.rule === "memory_critical"));
    expect(issue.status).toBe("awaiting_approval");
  });

  it("runs the seed's diagnostic_rules: cpu_spike restarts the top CPU user, then scale_resources calls its webhook", async () => {
    const t = await newTenant();
    // the seed's own document as it stands: cpu_spike is a built-in here, which it overrides
    await json(
      "/api/v1/rules",
      {
        token: t.admin,
        body: SEED_RULES,
      },
      201,
    );
    const agent = await t.enroll();
    const metrics = { cpu: 95, "svc:api.cpu": 180, "svc:db.cpu": 5 };
    const { commands } = await agent.report({ samples: series(32, metrics) });
    expect(commands).toMatchObject([{ action: "restart_service", target: "api" }]);
    const issue = must((await issuesOf(t, agent.hostId)).find((i) => i.rule === "cpu_spike"));
    // without an action webhook of that name, scale_resources is skipped, not sent to the agent
    expect((await t.issue(issue.id)).explanation?.plan.skipped).toEqual([
      {
        action: "scale_resources",
        reason:
          "scale_resources is not an agent action and no action webhook named scale_resources is configured",
      },
    ]);

    await json("/api/v1/action-webhooks/scale_resources", {
      method: "PUT",
      token: t.admin,
      body: { url: "https://hooks.example/scale" },
    });
    const other = await t.enroll();
    await other.report({ samples: series(32, metrics) });
    const hooked = must((await issuesOf(t, other.hostId)).find((i) => i.rule === "cpu_spike"));
    expect((await t.issue(hooked.id)).explanation?.plan.actions).toEqual([
      "restart_service",
      "webhook:scale_resources",
    ]);
  });

  it("runs the seed's memory_leak on the tmpfs cache, then the fastest-growing service", async () => {
    const t = await newTenant();
    await json(
      "/api/v1/rules",
      {
        token: t.admin,
        body: { memory_leak: SEED_RULES.memory_leak },
      },
      201,
    );
    const agent = await t.enroll();
    const { commands } = await agent.report({
      samples: series(1, { memory: 97, "svc:api.rss": 300 * MB }),
      caches,
    });
    expect(commands).toMatchObject([{ action: "clear_cache", target: "sessions" }]);
    const issue = must((await issuesOf(t, agent.hostId)).find((i) => i.rule === "memory_leak"));
    expect((await t.issue(issue.id)).explanation?.plan).toMatchObject({
      actions: ["clear_cache", "restart_service", "emergency_shutdown"],
    });
  });

  it("acts on the target a rule names", async () => {
    const t = await newTenant();
    await json(
      "/api/v1/rules",
      {
        token: t.admin,
        body: {
          id: "mem_web",
          kind: "threshold",
          metric: "memory",
          threshold: 90,
          severity: "high",
          actions: ["restart_service"],
          target: { service: "web" },
        },
      },
      201,
    );
    const agent = await t.enroll();
    const { commands } = await agent.report({ samples: series(1, { memory: 92, "svc:db.rss": 900 * MB }) });
    expect(commands).toMatchObject([{ action: "restart_service", target: "web" }]);
  });
});

describe("rule targets are validated", () => {
  it("names the field of a bad target or selector (400)", async () => {
    const t = await newTenant();
    const base = { id: "r1", kind: "threshold", metric: "cpu", threshold: 90, severity: "high" };
    const bad = async (target: unknown, path: string) => {
      const res = await call("/api/v1/rules", { token: t.admin, body: { ...base, target } });
      const err = await expectError(res, 400, "BAD_REQUEST");
      expect(err.issues?.map((i) => i.path)).toContain(path);
    };
    await bad({ service: "no spaces allowed" }, "target.service");
    await bad({ select: "biggest" }, "target.select");
    await bad({ host: "x" }, "target");
    await bad({}, "target");
  });

  it("lists the built-in healing defaults with their actions, each overridable", async () => {
    const t = await newTenant();
    const { items } = await json<{ items: { id: string; actions: string[] }[] }>("/api/v1/rules", {
      token: t.admin,
    });
    const byId = Object.fromEntries(items.map((r) => [r.id, r.actions]));
    expect(byId).toMatchObject({
      disk_critical: ["clear_cache"],
      memory_critical: ["restart_service"],
      process_memory_leak: ["restart_service"],
      config_drift: ["validate_config", "reset_config"],
    });
    await json("/api/v1/rules/disk_critical", { method: "PATCH", token: t.admin, body: { actions: [] } });
    const agent = await t.enroll();
    const { commands } = await agent.report({
      samples: series(1, { disk: 97, "disk:/mnt/cache": 97 }),
      caches,
    });
    expect(commands).toEqual([]);
  });
});
