import { describe, expect, it } from "vitest";
import {
  call,
  expectError,
  type HealingMetrics,
  json,
  must,
  newTenant,
  result,
  sample,
  series,
  service,
} from "./support/harness";

type OpenApiDoc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, { required?: string[] }> };
};

const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

/** One host whose nginx went down and came back after one restart, and whose redis is escalated. */
async function eventfulTenant() {
  const t = await newTenant();
  await t.config({ recovery: { max_attempts: 1 } });
  const agent = await t.enroll("web-1");
  const first = await agent.report({ services: [service("nginx", "down"), service("redis", "down")] });
  const byTarget = Object.fromEntries(first.commands.map((c) => [c.target, c.id]));
  await agent.report({
    samples: [sample({ cpu: 20, memory: 40, disk: 60 })],
    services: [service("nginx", "up"), service("redis", "down")],
    results: [result(byTarget.nginx, "succeeded"), result(byTarget.redis, "failed")],
  });
  return { t, agent };
}

describe("read API shapes", () => {
  it("GET /api/healing/status summarises the fleet", async () => {
    const { t, agent } = await eventfulTenant();
    const status = await t.get("/api/healing/status");
    expect(status).toEqual({
      enabled: true,
      overallStatus: "degraded",
      healthScore: 57.5,
      openIssues: { critical: 0, high: 1, medium: 0, low: 0, total: 1 },
      awaitingApproval: 0,
      lastCheck: iso,
      hosts: [
        {
          id: agent.hostId,
          name: "web-1",
          hostname: "web-1.local",
          os: "Debian 12",
          group: null,
          hostKey: true,
          online: true,
          lastSeenAt: iso,
          healthScore: 57.5,
          status: "degraded",
          metrics: { cpu: 20, memory: 40, disk: 60, load1: 0.4 },
          services: [
            { name: "nginx", kind: "systemd", status: "up", detail: null, changedAt: iso, stopped: false },
            { name: "redis", kind: "systemd", status: "down", detail: null, changedAt: iso, stopped: false },
          ],
          openIssues: 1,
          retiredAt: null,
          capabilities: null,
        },
      ],
    });
  });

  it("GET /api/healing/issues filters by status, severity and host, newest first", async () => {
    const { t, agent } = await eventfulTenant();
    const all = await t.issues();
    expect(all.map((i) => i.target).sort()).toEqual(["nginx", "redis"]);
    expect(all[0]).toEqual({
      id: expect.stringMatching(/^iss_/),
      hostId: agent.hostId,
      host: "web-1",
      rule: "service_down",
      ruleName: "Service down",
      target: expect.any(String),
      severity: "high",
      status: expect.any(String),
      summary: expect.stringContaining("Service down"),
      evidence: expect.objectContaining({ service: expect.any(String) }),
      actions: ["restart_service"],
      attempts: 1,
      detectedAt: iso,
      resolvedAt: all[0].status === "resolved" ? iso : null,
      mttrSeconds: all[0].status === "resolved" ? expect.any(Number) : null,
      escalatedAt: all[0].status === "escalated" ? iso : null,
      respondBy: iso,
      acknowledgedAt: null,
      acknowledgedBy: null,
      source: "engine",
      fleetIncident: null,
      flapping: false,
      incident: expect.objectContaining({ key: expect.stringContaining("service_down|"), cause: true }),
      explanation: expect.objectContaining({ rule: expect.objectContaining({ id: "service_down" }) }),
    });
    const active = await t.issues("?status=active");
    expect(active.map((i) => [i.target, i.status])).toEqual([["redis", "escalated"]]);
    expect((await t.issues("?status=resolved"))[0].target).toBe("nginx");
    expect(await t.issues("?severity=critical")).toEqual([]);
    expect(await t.issues("?host=web-1&limit=1")).toHaveLength(1);
    expect(await t.issues("?host=nope")).toEqual([]);
  });

  it("GET /api/healing/recovery-history lists attempts newest first, by issue or host", async () => {
    const { t, agent } = await eventfulTenant();
    const items = await t.history(`?host=${agent.hostId}`);
    expect(items).toHaveLength(2);
    const nginx = items.find((h) => h.target === "nginx");
    expect(nginx).toEqual({
      id: expect.stringMatching(/^rec_/),
      issueId: expect.stringMatching(/^iss_/),
      hostId: agent.hostId,
      host: "web-1",
      commandId: expect.stringMatching(/^cmd_/),
      action: "restart_service",
      target: "nginx",
      status: "succeeded",
      trigger: "auto",
      startedAt: iso,
      finishedAt: iso,
      exitCode: 0,
      output: "succeeded",
      durationMs: 120,
      verified: true,
    });
    const one = await t.history(`?issue=${must(nginx).issueId}&limit=5`);
    expect(one.map((h) => h.id)).toEqual([must(nginx).id]);
  });

  it("GET /api/healing/metrics reports MTTR, the auto-recovery rate and counts", async () => {
    const { t } = await eventfulTenant();
    const metrics = await t.get<HealingMetrics>("/api/healing/metrics");
    expect(metrics).toEqual({
      mttrSeconds: { mean: expect.any(Number), p50: expect.any(Number), p95: expect.any(Number) },
      autoRecoveryRate: 0.5,
      autoRecovery: { attempted: 2, healed: 1 },
      engineIssues: { total: 2, resolved: 1, escalated: 1 },
      issues: {
        total: 2,
        open: 0,
        resolved: 1,
        escalated: 1,
        bySeverity: { critical: 0, high: 2, medium: 0, low: 0 },
      },
      recoveries: {
        total: 2,
        succeeded: 1,
        failed: 1,
        refused: 0,
        timedOut: 0,
        byAction: { restart_service: { total: 2, succeeded: 1, failed: 1 } },
      },
      byRule: expect.any(Object),
      responseTargets: expect.objectContaining({ breached: expect.any(Number), met: expect.any(Number) }),
      availability: {
        fleet: { "24h": expect.any(Number), "7d": expect.any(Number), "30d": expect.any(Number) },
        hosts: [expect.objectContaining({ name: "web-1", services: expect.any(Array) })],
      },
    });
    expect(metrics.mttrSeconds.p50).toBe(metrics.mttrSeconds.mean);
  });

  it("GET /api/healing/metrics is empty but well-formed for a new org", async () => {
    const t = await newTenant();
    const metrics = await t.get<HealingMetrics>("/api/healing/metrics");
    expect(metrics.mttrSeconds).toEqual({ mean: null, p50: null, p95: null });
    expect(metrics.autoRecoveryRate).toBeNull();
    expect(metrics.issues.total).toBe(0);
  });

  it("GET /api/v1/hosts/{id} finds a host by id or name; samples honour from and to", async () => {
    const t = await newTenant();
    const agent = await t.enroll("db-1");
    const samples = series(6, { cpu: 5 }, 60);
    await agent.report({ samples });
    const hosts = await t.get<{ items: { id: string }[] }>("/api/v1/hosts");
    expect(hosts.items.map((h) => h.id)).toEqual([agent.hostId]);
    expect((await t.host("db-1")).id).toBe(agent.hostId);
    await expectError(await call("/api/v1/hosts/hst_missing", { token: t.admin }), 404, "NOT_FOUND");
    const window = await t.samples(agent.hostId, `?from=${samples[1].ts}&to=${samples[3].ts}`);
    expect(window.map((s) => s.ts)).toEqual([samples[1].ts, samples[2].ts, samples[3].ts]);
    const latest = await t.samples(agent.hostId, "?limit=2");
    expect(latest.map((s) => s.ts)).toEqual([samples[4].ts, samples[5].ts]);
  });

  it("GET /api/openapi.json documents every route from the same schemas", async () => {
    const t = await newTenant();
    const doc = await json<OpenApiDoc>("/api/openapi.json", { token: t.admin });
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/api/healing/config",
      "/api/healing/health-check",
      "/api/healing/issues",
      "/api/healing/issues/{id}",
      "/api/healing/metrics",
      "/api/healing/recover",
      "/api/healing/recovery-history",
      "/api/healing/status",
      "/api/health",
      "/api/v1/action-webhooks",
      "/api/v1/action-webhooks/{name}",
      "/api/v1/agent/commands",
      "/api/v1/agent/commands/socket",
      "/api/v1/agent/enroll",
      "/api/v1/agent/refresh",
      "/api/v1/agent/report",
      "/api/v1/audit",
      "/api/v1/channels",
      "/api/v1/channels/{id}",
      "/api/v1/channels/{id}/test",
      "/api/v1/commands",
      "/api/v1/commands/{id}/approve",
      "/api/v1/commands/{id}/reject",
      "/api/v1/deliveries",
      "/api/v1/edge-checks",
      "/api/v1/edge-checks/{id}",
      "/api/v1/events",
      "/api/v1/gate",
      "/api/v1/gate/watch",
      "/api/v1/gate/watch/{id}",
      "/api/v1/hosts",
      "/api/v1/hosts/{id}",
      "/api/v1/hosts/{id}/actions",
      "/api/v1/hosts/{id}/effective-config",
      "/api/v1/hosts/{id}/gaps",
      "/api/v1/hosts/{id}/re-enroll",
      "/api/v1/hosts/{id}/samples",
      "/api/v1/hosts/{id}/thresholds",
      "/api/v1/incidents",
      "/api/v1/incidents/{id}",
      "/api/v1/invitations",
      "/api/v1/invitations/accept",
      "/api/v1/invitations/{id}",
      "/api/v1/issues/{id}/acknowledge",
      "/api/v1/issues/{id}/close",
      "/api/v1/issues/{id}/noise",
      "/api/v1/issues/{id}/reset-guardrail",
      "/api/v1/learning",
      "/api/v1/maintenance",
      "/api/v1/maintenance/{id}",
      "/api/v1/me/sessions",
      "/api/v1/me/sessions/{id}",
      "/api/v1/orgs",
      "/api/v1/passkeys",
      "/api/v1/passkeys/register",
      "/api/v1/passkeys/register/options",
      "/api/v1/passkeys/sign-in",
      "/api/v1/passkeys/sign-in/options",
      "/api/v1/passkeys/{id}",
      "/api/v1/rules",
      "/api/v1/rules/backtest",
      "/api/v1/rules/{id}",
      "/api/v1/rules/{id}/disable",
      "/api/v1/rules/{id}/enable",
      "/api/v1/scopes",
      "/api/v1/scopes/{kind}/{key}",
      "/api/v1/session",
      "/api/v1/session/access",
      "/api/v1/session/oidc",
      "/api/v1/session/oidc/callback",
      "/api/v1/tokens",
      "/api/v1/tokens/{id}",
      "/api/v1/users",
      "/api/v1/users/{id}",
    ]);
    expect(doc.components.schemas.ReportRequest.required).toEqual(
      expect.arrayContaining(["protocol", "samples"]),
    );
    expect(doc.paths["/api/healing/recover"].post.responses).toHaveProperty("409");
  });
});
