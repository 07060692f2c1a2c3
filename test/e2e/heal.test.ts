import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, timeUntilHealthy, waitFor } from "../../scripts/lib/lab.mjs";

type Lab = Awaited<ReturnType<typeof startLab>>;

describe("detect → recover → verify, with the real Worker and the real agent", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ services: 1, interval: 2, hostName: "e2e-host" });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("restarts a SIGKILLed process, resolves the issue with its MTTR and records the recovery", async () => {
    const svc = lab.services[0];
    const oldPid = lab.pidOf(svc);
    process.kill(oldPid, "SIGKILL");

    const healedMs = await timeUntilHealthy(svc.url, { timeoutMs: 30_000 });
    expect(healedMs).toBeLessThan(30_000);
    await waitFor(() => lab.pidOf(svc) !== oldPid, { what: "a new pid" });

    const issue = await waitFor(
      async () => {
        const { items } = await lab.call("GET", "/api/healing/issues?status=resolved");
        return items.find(
          (i: { rule: string; target: string }) => i.rule === "service_down" && i.target === svc.name,
        );
      },
      { timeoutMs: 30_000, intervalMs: 250, what: "the service_down issue resolved" },
    );
    expect(issue.host).toBe("e2e-host");
    expect(issue.severity).toBe("high");
    expect(issue.mttrSeconds).toBeGreaterThan(0);
    expect(issue.mttrSeconds).toBeLessThan(30);
    expect(Date.parse(issue.resolvedAt)).toBeGreaterThan(Date.parse(issue.detectedAt));

    const { items: history } = await lab.call("GET", `/api/healing/recovery-history?issue=${issue.id}`);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      action: "restart_service",
      target: svc.name,
      status: "succeeded",
      trigger: "auto",
      host: "e2e-host",
    });

    const metrics = await lab.call("GET", "/api/healing/metrics");
    expect(metrics.issues.resolved).toBeGreaterThanOrEqual(1);
    expect(metrics.autoRecoveryRate).toBe(1);
  });

  it("answers a health check with the host's health and asks the agent for a fresh sample", async () => {
    const before = await lab.call("GET", "/api/v1/hosts");
    const host = before.items.find((h: { name: string }) => h.name === "e2e-host");
    const result = await lab.call("POST", "/api/healing/health-check", {
      components: ["cpu", "memory", "disk"],
    });
    expect(["healthy", "degraded", "critical"]).toContain(result.overallStatus);
    const checked = result.hosts.find((h: { id: string }) => h.id === host.id);
    expect(checked.sampleRequested).toBe(true);
    expect(Object.keys(checked.components).sort()).toEqual(["cpu", "disk", "memory"]);
    await waitFor(
      async () => {
        const { items } = await lab.call("GET", "/api/v1/hosts");
        const now = items.find((h: { id: string }) => h.id === host.id);
        return Date.parse(now.lastSeenAt) > Date.parse(host.lastSeenAt);
      },
      { timeoutMs: 10_000, what: "a fresh report" },
    );
  });

  it("keeps its host when an admin revokes its agent token: it proves its host key for a new one", async () => {
    type Token = { id: string; scope: string; hostId: string | null; revokedAt: string | null };
    const live = async () =>
      ((await lab.call("GET", "/api/v1/tokens")).items as Token[]).filter(
        (t) => t.scope === "agent" && t.revokedAt === null,
      );
    const [old] = await live();
    const host = (await lab.call("GET", `/api/v1/hosts/${old.hostId}`)) as { hostKey: boolean };
    expect(host.hostKey).toBe(true);
    const revokedAt = Date.now();
    await lab.call("DELETE", `/api/v1/tokens/${old.id}`);
    const [renewed] = await waitFor(
      async () => {
        const tokens = await live();
        return tokens.length === 1 && tokens[0].id !== old.id && tokens;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: "a renewed agent token" },
    );
    expect(renewed.hostId).toBe(old.hostId);
    await waitFor(
      async () => {
        const now = await lab.call("GET", `/api/v1/hosts/${old.hostId}`);
        return Date.parse(now.lastSeenAt) > revokedAt + 500;
      },
      { timeoutMs: 10_000, what: "a report with the renewed token" },
    );
    const audit = await lab.call("GET", `/api/v1/audit?target=${old.hostId}&action=host.key-refresh`);
    expect(audit.items).toHaveLength(1);
    expect(lab.agent.proc.exitCode).toBeNull();
  });

  it("serves the dashboard at / and the API beside it", async () => {
    const page = await fetch(`${lab.worker.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("<script");
    const deepLink = await fetch(`${lab.worker.url}/issues/some-id`);
    expect(deepLink.status).toBe(200);
    const api = await fetch(`${lab.worker.url}/api/healing/status`);
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
  });
});
