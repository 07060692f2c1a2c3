import { appendFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reportRequestSchema } from "../../agent/protocol";
import { Runner } from "../../agent/src/runner";
import { ensureStateDir } from "../../agent/src/state-dir";
import { ApiClient } from "../../agent/src/transport/client";
import { fakeServer, reportOk } from "./support/fake-server";
import { cleanup, configFor, memoryLog, tempDir, waitFor, writeScript } from "./support/helpers";

afterEach(cleanup);

describe("the agent loop with checks and logs configured", () => {
  it("reports each check's status and perfdata and each log pattern's count and rate in its samples", async () => {
    const dir = tempDir();
    const logFile = path.join(dir, "app.log");
    writeFileSync(logFile, "ERROR from before the agent\n");
    const plugin = writeScript(
      dir,
      "check_queue",
      `echo "QUEUE WARNING - 120 jobs | jobs=120;100;500;0"; exit 1`,
    );
    const server = await fakeServer(() => reportOk([], 1));
    const config = configFor({
      server: server.url,
      interval: 1,
      services: [{ name: "worker", kind: "process", match: "no-such-process-selfheal" }],
      checks: [{ name: "queue", command: [plugin], interval: 1, timeoutMs: 5000, service: "worker" }],
      logs: [{ name: "app", path: logFile, patterns: { errors: "ERROR" } }],
    });
    const runner = new Runner({
      config,
      paths: ensureStateDir(config.stateDir),
      client: new ApiClient({ server: server.url }),
      agentToken: "agent-token",
      log: memoryLog().log,
      shutdownGraceMs: 500,
    });
    await runner.start();
    try {
      appendFileSync(logFile, "ERROR one\nok\nERROR two\n");
      const metricsOf = () =>
        server.seen.flatMap((r) => r.body.samples.map((s: { metrics: Record<string, number> }) => s.metrics));
      const withCheck = await waitFor(
        () => metricsOf().find((m) => m["check:worker.queue.status"] === 1 && m["log:app.errors"] === 2),
        15_000,
        "a sample with the check and the log counts",
      );
      expect(withCheck).toMatchObject({ "check:worker.queue.jobs": 120, "log:app.oom": 0 });
      expect(withCheck["log:app.errors_per_min"]).toBeGreaterThan(0);
      for (const r of server.seen) expect(reportRequestSchema.safeParse(r.body).success).toBe(true);
    } finally {
      await runner.stop();
    }
  });
});
