import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { serviceStateSchema } from "../../agent/protocol";
import { ServiceManager } from "../../agent/src/services";
import { readLogTail } from "../../agent/src/services/log-tail";
import { ensureStateDir } from "../../agent/src/state-dir";
import { cleanup, configFor, quietLog, tempDir } from "./support/helpers";

afterEach(cleanup);

function managerFor(services: unknown[]) {
  const config = configFor({ services, actions: { restart_service: true } });
  const paths = ensureStateDir(config.stateDir);
  const manager = new ServiceManager(config.services, {
    paths,
    log: quietLog,
    settleMs: 300,
    stopWaitMs: 2000,
  });
  return { paths, manager };
}

describe("the log lines around a crash (crash loops)", () => {
  it("reports a started process that died as down with the end of its output", async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `console.error("line ${i}")`).join(";");
    const crash = [
      process.execPath,
      "-e",
      `${lines}; console.error("FATAL: cannot bind :8080"); process.exit(3)`,
    ];
    const { manager } = managerFor([{ name: "crashy", kind: "process", start: crash, autostart: false }]);
    const outcome = await manager.restart("crashy");
    expect(outcome.status).toBe("failed");
    const [state] = await manager.checkAll();
    expect(state).toMatchObject({ name: "crashy", status: "down" });
    expect(state.logTail).toHaveLength(20);
    expect(state.logTail?.at(-1)).toBe("FATAL: cannot bind :8080");
    expect(state.logTail?.[0]).toBe("line 11");
    expect(serviceStateSchema.safeParse(state).success).toBe(true);
  });

  it("sends no log lines for a process the agent never started", async () => {
    const { manager } = managerFor([{ name: "other", kind: "process", match: "^no-such-process-xyz$" }]);
    const [state] = await manager.checkAll();
    expect(state.status).toBe("down");
    expect(state).not.toHaveProperty("logTail");
  });

  it("keeps a long line to 300 characters and reads only the end of a big log", () => {
    const file = path.join(tempDir(), "big.log");
    writeFileSync(file, `${"old line\n".repeat(50_000)}${"y".repeat(1000)}\nlast\n`);
    const tail = readLogTail(file);
    expect(tail?.slice(-2)).toEqual(["y".repeat(300), "last"]);
    expect(tail).toHaveLength(20);
  });
});
