import { afterEach, describe, expect, it } from "vitest";
import { reportRequestSchema } from "../../agent/protocol";
import { MetricsCollector } from "../../agent/src/collectors";
import { EXIT_AUTH, Runner } from "../../agent/src/runner";
import { ensureStateDir } from "../../agent/src/state-dir";
import { ApiClient } from "../../agent/src/transport/client";
import { apiError, fakeServer, type Reply, reportOk, type Seen } from "./support/fake-server";
import {
  cleanup,
  configFor,
  freePort,
  isAliveForTest,
  killAtCleanup,
  memoryLog,
  serverArgv,
  waitFor,
} from "./support/helpers";

afterEach(cleanup);

const later = () => new Date(Date.now() + 60_000).toISOString();
const fixedMetrics = () =>
  new MetricsCollector([{ name: "fixed", collect: () => ({ cpu: 5, memory: 10, disk: 20 }) }]);

async function startRunner(reply: (req: Seen, n: number) => Reply, services: unknown[] = [], interval = 30) {
  const server = await fakeServer(reply);
  const config = configFor({ server: server.url, interval, services, actions: { restart_service: true } });
  const paths = ensureStateDir(config.stateDir);
  const { log, lines } = memoryLog();
  const runner = new Runner({
    config,
    paths,
    client: new ApiClient({ server: server.url }),
    agentToken: "agent-token",
    log,
    collector: fixedMetrics(),
    settleMs: 300,
    shutdownGraceMs: 500,
  });
  await runner.start();
  return { server, runner, lines, paths, stop: () => runner.stop() };
}

describe("the agent loop", () => {
  it("reports at once, then on the interval the server sets, with samples and every service", async () => {
    const port = await freePort();
    const { server, runner, stop } = await startRunner(
      () => reportOk([], 1),
      [{ name: "web", kind: "process", start: serverArgv(port) }],
    );
    try {
      await waitFor(() => server.seen.length >= 3, 5000, "three reports");
      const [first, second, third] = server.seen;
      killAtCleanup(first.body.services[0].pid);
      for (const r of server.seen) expect(reportRequestSchema.safeParse(r.body).success).toBe(true);
      expect(first.body).toMatchObject({ reason: "interval", samples: [{ metrics: { cpu: 5 } }] });
      expect(first.body.services).toEqual([
        expect.objectContaining({ name: "web", kind: "process", status: "up" }),
      ]);
      expect(third.at - second.at).toBeGreaterThan(700);
      expect(third.at - second.at).toBeLessThan(2000);
      expect(runner.currentIntervalMs).toBe(1000);
    } finally {
      await stop();
    }
  });

  it("runs a command from the response and reports its result at once with fresh service states", async () => {
    const port = await freePort();
    const { server, stop, runner } = await startRunner(
      (_req, n) =>
        n === 1
          ? reportOk([{ id: "cmd-1", action: "restart_service", target: "web", expiresAt: later() }])
          : reportOk(),
      [
        {
          name: "web",
          kind: "process",
          start: serverArgv(port),
          check: { http: `http://127.0.0.1:${port}/` },
        },
      ],
    );
    try {
      // The restart starts a node process and waits for its check: generous on a loaded machine.
      const commandReport = await waitFor(
        () => server.seen.find((r) => r.body.reason === "command"),
        20_000,
        "command report",
      );
      expect(commandReport.body.results).toEqual([
        expect.objectContaining({ commandId: "cmd-1", status: "succeeded", exitCode: 0 }),
      ]);
      const web = commandReport.body.services[0];
      killAtCleanup(web.pid);
      killAtCleanup(server.seen[0].body.services[0].pid);
      expect(web).toMatchObject({ name: "web", status: "up" });
      expect(web.pid).not.toBe(server.seen[0].body.services[0].pid);
      // The server has the report; the agent drops the result once it has read the answer.
      await waitFor(() => runner.uplink.queue.size.results === 0, 5000, "results acknowledged");
    } finally {
      await stop();
    }
  });

  it("reports at once when a service it started exits", async () => {
    const port = await freePort();
    const { server, stop } = await startRunner(
      () => reportOk(),
      [{ name: "web", kind: "process", start: serverArgv(port) }],
    );
    try {
      await waitFor(() => server.seen.length >= 1);
      const pid = server.seen[0].body.services[0].pid;
      killAtCleanup(pid);
      process.kill(pid, "SIGKILL");
      const event = await waitFor(
        () => server.seen.find((r) => r.body.reason === "event"),
        3000,
        "event report",
      );
      expect(event.body.services[0]).toMatchObject({ name: "web", status: "down" });
    } finally {
      await stop();
    }
  });

  it("retries a failed report with backoff well before the next interval, keeping its samples", async () => {
    const { server, stop } = await startRunner(
      (_req, n) => (n <= 2 ? apiError(503, "INTERNAL", "busy") : reportOk()),
      [],
      30,
    );
    try {
      const ok = await waitFor(() => server.seen[2], 6000, "a successful retry");
      expect(server.seen.map((r) => r.body.reason)).toEqual(["interval", "backfill", "backfill"]);
      expect(ok.body.samples).toEqual(server.seen[0].body.samples);
      expect(ok.at - server.seen[0].at).toBeLessThan(3500);
    } finally {
      await stop();
    }
  });

  it("stops with a clear message when the server rejects its token", async () => {
    const { runner, lines, paths } = await startRunner(() => apiError(401, "UNAUTHORIZED", "revoked"));
    expect(await runner.done).toBe(EXIT_AUTH);
    expect(lines.join("\n")).toContain(`the server rejected this agent's token (401)`);
    expect(lines.join("\n")).toContain(paths.token);
  });

  it("leaves the services it started running when it stops", async () => {
    const port = await freePort();
    const { server, runner } = await startRunner(
      () => reportOk(),
      [{ name: "web", kind: "process", start: serverArgv(port) }],
    );
    await waitFor(() => server.seen.length >= 1);
    const pid = server.seen[0].body.services[0].pid;
    killAtCleanup(pid);
    await runner.stop();
    expect(await runner.done).toBe(0);
    expect(isAliveForTest(pid)).toBe(true);
  });
});
