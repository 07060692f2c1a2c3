import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, timeUntilHealthy, waitFor } from "../../scripts/lib/lab.mjs";
import { api } from "../../scripts/lib/stack.mjs";

type Lab = Awaited<ReturnType<typeof startLab>>;
type Svc = Lab["services"][number];
type Issue = { id: string; rule: string; target: string; status: string };
type Entry = { action: string; target: string | null; status: string };

const INTERVAL = 2;
const HOST = "no-false-restarts";
/** Three report intervals: long enough for the edge to have planned, and the agent to have run, a restart. */
const threeIntervals = () => new Promise((r) => setTimeout(r, 3 * INTERVAL * 1000 + 500));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("no false restarts, with the real Worker and the real agent", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({
      services: 3,
      interval: INTERVAL,
      hostName: HOST,
      actions: { stop_service: true },
    });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  const serviceState = async (svc: Svc) => {
    const status = await lab.call("GET", "/api/healing/status");
    const host = status.hosts.find((h: { name: string }) => h.name === HOST);
    return host.services.find((s: { name: string }) => s.name === svc.name);
  };
  const restartsOf = async (svc: Svc) => {
    const { items } = await lab.call("GET", "/api/healing/recovery-history");
    // a restart refused (an approval superseded by the stop, say) never reached the service
    return (items as Entry[]).filter(
      (e) => e.target === svc.name && e.action !== "stop_service" && e.status !== "refused",
    );
  };
  const issueFor = (svc: Svc, status?: string) =>
    waitFor(
      async () => {
        const { items } = await lab.call("GET", `/api/healing/issues${status ? `?status=${status}` : ""}`);
        return (items as Issue[]).find((i) => i.rule === "service_down" && i.target === svc.name);
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `a service_down issue for ${svc.name}` },
    );
  /** Kills the service and waits until the edge has seen it down. */
  async function kill(svc: Svc): Promise<number> {
    const pid = lab.pidOf(svc);
    process.kill(pid, "SIGKILL");
    await waitFor(async () => (await serviceState(svc))?.status === "down", {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: `${svc.name} reported down`,
    });
    return pid;
  }
  async function expectStillDown(svc: Svc, pid: number) {
    await threeIntervals();
    expect(alive(pid)).toBe(false);
    expect(lab.pidOf(svc)).toBe(pid); // nothing started a new one (it would rewrite the pid file)
    expect((await serviceState(svc)).status).toBe("down");
    expect(await restartsOf(svc), JSON.stringify(await restartsOf(svc))).toEqual([]);
  }

  it("never restarts a service stopped on purpose, even with automatic recovery on", async () => {
    const svc = lab.services[0];
    await lab.call("POST", "/api/healing/config", { recovery: { require_confirmation: true } });
    const pid = await kill(svc);
    const issue = await issueFor(svc);
    // the human decides: stop it for good rather than restart it
    const asked = await lab.call("POST", "/api/healing/recover", {
      issue_id: issue.id,
      action: "stop_service",
    });
    // require_confirmation holds what a person asks for too, until someone approves it
    expect(asked.status).toBe("awaiting_approval");
    await lab.call("POST", `/api/v1/commands/${asked.commandId}/approve`, {});
    await waitFor(async () => (await serviceState(svc))?.stopped === true, {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: `${svc.name} reported stopped on purpose`,
    });
    await lab.call("POST", "/api/healing/config", { recovery: { require_confirmation: false } });
    await expectStillDown(svc, pid);
    expect((await serviceState(svc)).stopped).toBe(true);
  });

  it("does not restart while self-healing is switched off, and does once it is on again", async () => {
    const svc = lab.services[1];
    await lab.call("POST", "/api/healing/config", { enabled: false });
    const pid = await kill(svc);
    await expectStillDown(svc, pid);
    await lab.call("POST", "/api/healing/config", { enabled: true });
    expect(await timeUntilHealthy(svc.url, { timeoutMs: 30_000 })).toBeLessThan(30_000);
    expect(lab.pidOf(svc)).not.toBe(pid);
  });

  it("does not restart a service on a host in a maintenance window, and does once the window ends", async () => {
    const svc = lab.services[2];
    const window = await lab.call("POST", "/api/v1/maintenance", {
      host: HOST,
      endsAt: new Date(Date.now() + 10 * 60_000).toISOString(),
      reason: "e2e: planned work",
    });
    const pid = await kill(svc);
    await expectStillDown(svc, pid);
    await lab.call("DELETE", `/api/v1/maintenance/${window.id}`);
    expect(await timeUntilHealthy(svc.url, { timeoutMs: 30_000 })).toBeLessThan(30_000);
    expect(lab.pidOf(svc)).not.toBe(pid);
  });
});

describe("no restart after an emergency shutdown, with the real Worker and the real agent", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({
      services: 2,
      interval: INTERVAL,
      hostName: "emergency-host",
      actions: { emergency_shutdown: true },
    });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("keeps every service down once an approved emergency shutdown stopped them", async () => {
    await lab.call("POST", "/api/healing/config", { recovery: { require_confirmation: true } });
    const [first, second] = lab.services;
    const pids = [lab.pidOf(first), lab.pidOf(second)];
    process.kill(pids[0], "SIGKILL");
    const issue = await waitFor(
      async () => {
        const { items } = await lab.call("GET", "/api/healing/issues?status=active");
        return (items as Issue[]).find((i) => i.rule === "service_down" && i.target === first.name);
      },
      { timeoutMs: 30_000, intervalMs: 250, what: "a service_down issue" },
    );
    const asked = await lab.call("POST", "/api/healing/recover", {
      issue_id: issue.id,
      action: "emergency_shutdown",
    });
    // an emergency shutdown waits for a second person: another token approves it
    const { token: other } = await lab.call("POST", "/api/v1/tokens", { scope: "operator", name: "second" });
    await api(lab.worker.url, other, "POST", `/api/v1/commands/${asked.commandId}/approve`, {});
    await waitFor(() => !alive(pids[1]), { timeoutMs: 30_000, intervalMs: 250, what: "the shutdown" });
    await lab.call("POST", "/api/healing/config", { recovery: { require_confirmation: false } });
    await threeIntervals();
    const status = await lab.call("GET", "/api/healing/status");
    const host = status.hosts.find((h: { name: string }) => h.name === "emergency-host");
    expect(host.services.map((s: { stopped?: boolean }) => s.stopped)).toEqual([true, true]);
    expect(lab.services.map((svc) => lab.pidOf(svc))).toEqual(pids);
    expect(pids.map(alive)).toEqual([false, false]);
  });
});
