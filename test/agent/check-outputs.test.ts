import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reportRequestSchema } from "../../agent/protocol";
import { checkAndLogCollectors, checkOutputsOf } from "../../agent/src/checks/collectors";
import { CheckScheduler } from "../../agent/src/checks/scheduler";
import { ApiClient } from "../../agent/src/transport/client";
import { Uplink } from "../../agent/src/transport/uplink";
import { fakeServer, reportOk } from "./support/fake-server";
import { cleanup, onCleanup, quietLog, tempDir, waitFor, writeScript } from "./support/helpers";

afterEach(cleanup);

describe("custom checks' status text in reports", () => {
  it("sends each check's latest output with the report, named as its status metric is", async () => {
    const dir = tempDir();
    const lag = writeScript(dir, "lag", `echo "CRITICAL - replication lag 412 s | lag=412s"; exit 2`);
    const collectors = checkAndLogCollectors({
      checks: [{ name: "lag", command: [lag], interval: 60, timeoutMs: 5_000, service: "pg" }],
    });
    onCleanup(() => {
      for (const c of collectors) (c as { stop?: () => void }).stop?.();
    });
    const outputs = checkOutputsOf(collectors);
    expect(outputs()).toBeUndefined();
    await collectors[0].prime?.();
    await waitFor(() => outputs() !== undefined, 10_000, "first run");

    const server = await fakeServer(() => reportOk());
    const client = new ApiClient({ server: server.url });
    onCleanup(() => client.close());
    const uplink = new Uplink({
      client,
      token: "t",
      log: quietLog,
      intervalMs: () => 10_000,
      checks: outputs,
    });
    await uplink.send("interval", []);
    const body = server.seen[0].body;
    expect(reportRequestSchema.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({
      checks: [{ name: "pg.lag", status: "critical", output: "CRITICAL - replication lag 412 s" }],
    });
  });

  it("cuts a long output to 500 characters and leaves out a check whose name the protocol refuses", async () => {
    const dir = tempDir();
    const long = path.join(dir, "long.txt");
    writeFileSync(long, `WARNING ${"x".repeat(900)}`);
    const chatty = writeScript(dir, "chatty", `cat "${long}"; echo; exit 1`);
    const scheduler = new CheckScheduler([
      { name: "chatty", command: [chatty], interval: 60, timeoutMs: 5_000 },
      { name: "disk/var", command: [chatty], interval: 60, timeoutMs: 5_000 },
    ]);
    onCleanup(() => scheduler.stop());
    scheduler.start();
    await waitFor(() => scheduler.readings().size === 2, 10_000, "both checks ran");
    const outputs = scheduler.outputs();
    expect(outputs.map((o) => [o.name, o.status, o.output.length])).toEqual([["chatty", "warning", 500]]);
  });
});
