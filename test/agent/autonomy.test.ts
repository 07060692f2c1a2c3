import { afterEach, describe, expect, it } from "vitest";
import { commandResultSchema, reportRequestSchema, type ServiceState } from "../../agent/protocol";
import { LocalAutonomy } from "../../agent/src/autonomy";
import { MetricsCollector } from "../../agent/src/collectors";
import { Runner } from "../../agent/src/runner";
import { ServiceManager } from "../../agent/src/services";
import { ensureStateDir } from "../../agent/src/state-dir";
import { ApiClient } from "../../agent/src/transport/client";
import { apiError, fakeServer, reportOk, settings } from "./support/fake-server";
import { cleanup, configFor, killAtCleanup, memoryLog, quietLog, waitFor } from "./support/helpers";

afterEach(cleanup);

const down = (name: string, over: Partial<ServiceState> = {}): ServiceState => ({
  name,
  kind: "systemd",
  status: "down",
  detail: `${name} failed`,
  ...over,
});

/** Autonomy over systemd services whose restarts only record, with a clock the test moves. */
function setup(
  actions: Record<string, unknown>,
  autonomy = { afterSeconds: 60, maxRestarts: 2, windowSeconds: 600 },
) {
  const config = configFor({
    services: ["web", "db", "cron"].map((name) => ({ name, kind: "systemd" })),
    actions,
    autonomy,
  });
  const services = new ServiceManager(config.services, { log: quietLog });
  const restarted: string[] = [];
  services.restart = async (name) => {
    restarted.push(name);
    return { status: "succeeded", exitCode: 0, output: `restarted ${name}` };
  };
  let now = 1_000_000;
  const journal: string[] = [];
  const local = new LocalAutonomy({
    config: config.autonomy as NonNullable<typeof config.autonomy>,
    policy: config.actions,
    services,
    log: quietLog,
    now: () => now,
    record: { start: (id) => journal.push(`start ${id}`), result: (id, s) => journal.push(`${s} ${id}`) },
  });
  return { local, restarted, journal, advance: (s: number) => (now += s * 1000) };
}

describe("local autonomy", () => {
  it("does nothing while the edge has been reachable within afterSeconds", async () => {
    const { local, restarted, advance } = setup({ restart_service: true });
    advance(59);
    expect(await local.heal([down("web")])).toEqual([]);
    local.contact();
    advance(59);
    expect(await local.heal([down("web")])).toEqual([]);
    expect(restarted).toEqual([]);
  });

  it("restarts services that are down once the edge has been gone long enough, as results with local ids", async () => {
    const { local, restarted, journal, advance } = setup({ restart_service: true });
    advance(61);
    const results = await local.heal([
      down("web"),
      { ...down("db"), status: "up" },
      down("cron", { status: "unknown" }),
    ]);
    expect(restarted).toEqual(["web"]);
    expect(results).toHaveLength(1);
    expect(results[0].commandId).toMatch(/^local-[0-9a-f-]{36}$/);
    expect(results[0]).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(results[0].output).toMatch(
      /^local autonomy: restart_service web \(edge unreachable for 61 s; it was down: web failed\)/,
    );
    expect(commandResultSchema.safeParse(results[0]).success).toBe(true);
    expect(journal).toEqual([`start ${results[0].commandId}`, `succeeded ${results[0].commandId}`]);
    expect(local.takeCount()).toBe(1);
    expect(local.takeCount()).toBe(0);
  });

  it("never restarts a service stopped on purpose, nor one restart_service does not allow", async () => {
    const { local, restarted, advance } = setup({ restart_service: { services: ["web", "db"] } });
    advance(61);
    await local.heal([down("web", { stopped: true }), down("db"), down("cron")]);
    expect(restarted).toEqual(["db"]);
  });

  it("does nothing when restart_service is not enabled at all", async () => {
    const { local, restarted, advance } = setup({});
    advance(61);
    await local.heal([down("web")]);
    expect(restarted).toEqual([]);
  });

  it("restarts nothing alone while the edge's safeguards ask approval for restart_service, and resumes when they stop", async () => {
    const { local, restarted, advance } = setup({ restart_service: true });
    local.edgePolicy([]);
    advance(61);
    expect(await local.heal([down("web")])).toEqual([]);
    local.edgePolicy(undefined); // an answer without the field (an older edge) keeps the last word
    expect(await local.heal([down("web")])).toEqual([]);
    expect(restarted).toEqual([]);
    local.edgePolicy(["restart_service"]);
    expect((await local.heal([down("web")])).map((r) => r.status)).toEqual(["succeeded"]);
    expect(restarted).toEqual(["web"]);
  });

  it("stops at maxRestarts per service within the window, and tries again once the window has moved on", async () => {
    const { local, restarted, advance } = setup({ restart_service: true });
    advance(61);
    for (let i = 0; i < 4; i++) {
      await local.heal([down("web")]);
      advance(30);
    }
    expect(restarted).toEqual(["web", "web"]);
    advance(600);
    await local.heal([down("web")]);
    expect(restarted).toEqual(["web", "web", "web"]);
  });
});

describe("the agent loop cut off from the edge", () => {
  it("restarts a down service on its own, then reports what it did when the edge is back", async () => {
    let reachable = false;
    const server = await fakeServer(() => (reachable ? reportOk([], 1) : apiError(503, "INTERNAL", "down")));
    const config = configFor({
      server: server.url,
      interval: 1,
      services: [
        {
          name: "worker",
          kind: "process",
          start: [process.execPath, "-e", "setInterval(() => {}, 1000)"],
          autostart: false,
        },
      ],
      actions: { restart_service: true },
      autonomy: { afterSeconds: 1, maxRestarts: 3, windowSeconds: 600 },
    });
    const { log, lines } = memoryLog();
    const runner = new Runner({
      config,
      paths: ensureStateDir(config.stateDir),
      client: new ApiClient({ server: server.url }),
      agentToken: "agent-token",
      log,
      collector: new MetricsCollector([{ name: "fixed", collect: () => ({ cpu: 5 }) }]),
      settleMs: 200,
      shutdownGraceMs: 500,
    });
    await runner.start();
    try {
      const pid = await waitFor(
        async () => (await runner.services.check(config.services[0])).pid,
        8000,
        "the local restart",
      );
      killAtCleanup(pid);
      reachable = true;
      const back = await waitFor(
        () =>
          server.seen.find((r) =>
            r.body.results?.some((x: { commandId: string }) => x.commandId.startsWith("local-")),
          ),
        6000,
        "a report carrying the local result",
      );
      expect(reportRequestSchema.safeParse(back.body).success).toBe(true);
      expect(back.body.results[0]).toMatchObject({ status: "succeeded" });
      expect(back.body.results[0].output).toContain("local autonomy: restart_service worker");
      const counted = server.seen
        .flatMap((r) => r.body.samples)
        .filter((s) => s.metrics["agent.local_actions"]);
      expect(counted.map((s) => s.metrics["agent.local_actions"])).toEqual([1]);
      expect(lines.join("\n")).toContain("edge unreachable, local autonomy on");
      await waitFor(() => lines.some((l) => l.includes("edge reachable again, local autonomy off")), 3000);
    } finally {
      await runner.stop();
    }
  });

  it("leaves a down service alone when the edge last said its restart needs approval", async () => {
    let reachable = true;
    const body = {
      commands: [],
      settings: { ...settings(1), unattended: [] },
      serverTime: new Date().toISOString(),
    };
    const held = { status: 200, body };
    const server = await fakeServer(() => (reachable ? held : apiError(503, "INTERNAL", "down")));
    const config = configFor({
      server: server.url,
      interval: 1,
      services: [{ name: "worker", kind: "process", start: [process.execPath, "-e", "0"], autostart: false }],
      actions: { restart_service: true },
      autonomy: { afterSeconds: 1, maxRestarts: 3, windowSeconds: 600 },
    });
    const { log, lines } = memoryLog();
    const runner = new Runner({
      config,
      paths: ensureStateDir(config.stateDir),
      client: new ApiClient({ server: server.url }),
      agentToken: "agent-token",
      log,
      collector: new MetricsCollector([{ name: "fixed", collect: () => ({ cpu: 5 }) }]),
      settleMs: 200,
      shutdownGraceMs: 500,
    });
    await runner.start();
    try {
      await waitFor(() => server.seen.length > 0, 4000, "a first report");
      reachable = false;
      await waitFor(
        () => lines.some((l) => l.includes("ask for approval before restart_service")),
        6000,
        "autonomy held by the edge's safeguards",
      );
      expect(lines.join("\n")).not.toContain("local autonomy: restarting");
    } finally {
      await runner.stop();
    }
  });
});
