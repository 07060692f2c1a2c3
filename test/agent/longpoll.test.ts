import { afterEach, describe, expect, it } from "vitest";
import { MetricsCollector } from "../../agent/src/collectors";
import { Runner } from "../../agent/src/runner";
import { ensureStateDir } from "../../agent/src/state-dir";
import { ApiClient } from "../../agent/src/transport/client";
import { fakeServer, type Reply, reportOk, type Seen } from "./support/fake-server";
import { cleanup, configFor, memoryLog, waitFor } from "./support/helpers";

afterEach(cleanup);

const isPoll = (r: Seen) => r.method === "GET" && r.url.startsWith("/api/v1/agent/commands");
const withLongPoll = (seconds?: number): Reply => {
  const ok = reportOk([], 30);
  return { ...ok, body: { ...(ok.body as object), longPollSeconds: seconds } };
};
const healthCheck = (id: string) => ({
  id,
  action: "health_check",
  issueId: null,
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
});

async function startRunner(onPoll: (n: number) => Reply, advertise: number | null = 20) {
  let polls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server = await fakeServer(async (req) => {
    if (!isPoll(req)) return withLongPoll(advertise ?? undefined);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const reply = onPoll(++polls);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    inFlight--;
    return { ...reply, delayMs: 0 };
  });
  const config = configFor({ server: server.url, interval: 30, probeInterval: 0 });
  const runner = new Runner({
    config,
    paths: ensureStateDir(config.stateDir),
    client: new ApiClient({ server: server.url }),
    agentToken: "agent-token",
    log: memoryLog().log,
    collector: new MetricsCollector([{ name: "fixed", collect: () => ({ cpu: 5 }) }]),
    shutdownGraceMs: 500,
  });
  await runner.start();
  return { server, runner, maxInFlight: () => maxInFlight };
}

describe("the command long-poll", { timeout: 30_000 }, () => {
  it("runs a command the long-poll hands over and reports its result at once", async () => {
    const { server, runner, maxInFlight } = await startRunner((n) =>
      n === 1
        ? { status: 200, body: { commands: [healthCheck("cmd_1")] }, delayMs: 300 }
        : { status: 200, body: { commands: [] }, delayMs: 5_000 },
    );
    try {
      const reported = await waitFor(
        () => server.seen.find((r) => r.body?.reason === "command"),
        10_000,
        "the command's result",
      );
      expect(reported.body.results).toEqual([
        expect.objectContaining({ commandId: "cmd_1", status: "succeeded" }),
      ]);
      const first = server.seen.find(isPoll);
      expect(first?.auth).toBe("Bearer agent-token");
      expect(first?.url).toBe("/api/v1/agent/commands?wait=20");
      expect(maxInFlight()).toBe(1);
    } finally {
      await runner.stop();
    }
  });

  it("does not poll an edge that does not offer the long-poll", async () => {
    const { server, runner } = await startRunner(() => ({ status: 404, body: {} }), null);
    try {
      await waitFor(() => server.seen.length >= 1, 5000, "the first report");
      await new Promise((r) => setTimeout(r, 1_000));
      expect(server.seen.filter(isPoll)).toEqual([]);
    } finally {
      await runner.stop();
    }
  });

  it("backs off instead of hammering an edge whose long-poll fails", async () => {
    const { server, runner } = await startRunner(() => ({ status: 503, body: {} }));
    try {
      await waitFor(() => server.seen.some(isPoll), 5000, "a long-poll");
      await new Promise((r) => setTimeout(r, 2_500));
      expect(server.seen.filter(isPoll).length).toBeLessThanOrEqual(3);
    } finally {
      await runner.stop();
    }
  });

  it("gives up the long-poll in flight when the agent stops", async () => {
    const { server, runner } = await startRunner(() => ({
      status: 200,
      body: { commands: [] },
      delayMs: 20_000,
    }));
    await waitFor(() => server.seen.some(isPoll), 5000, "a long-poll");
    const started = Date.now();
    await runner.stop();
    expect(await runner.done).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
