import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, waitFor } from "../../scripts/lib/lab.mjs";

type Lab = Awaited<ReturnType<typeof startLab>>;
type Issue = {
  id: string;
  rule: string;
  status: string;
  summary: string;
  severity: string;
  actions: string[];
  evidence: { explanation?: string };
};

const HOST = "diag-host";
const ANOMALY_RULES = ["cpu_anomaly", "load_anomaly"];
const DIAGNOSTIC = /_(anomaly|baseline)$/;
/** The cpu and load diagnostics judge nothing before normal covers 5 min of the host's time. */
const LEARN_MS = 5 * 60_000 + 30_000;

/**
 * A CPU burn: busy loops at the lowest priority, so the machine's other work barely slows, while
 * the cpu metric pegs and the run queue (load1) grows by their number.
 */
function burn(processes: number): ChildProcess[] {
  const code = "require('node:os').setPriority(19); for (;;) {}";
  return Array.from({ length: processes }, () => spawn(process.execPath, ["-e", code], { stdio: "ignore" }));
}

describe("built-in AI diagnostics, with the real Worker and the real agent on defaults", () => {
  let lab: Lab;
  let burners: ChildProcess[] = [];
  beforeAll(async () => {
    lab = await startLab({ services: 0, interval: 1, hostName: HOST });
  });
  afterAll(async () => {
    for (const b of burners) b.kill("SIGKILL");
    await lab?.stop();
  });

  const issues = async () =>
    ((await lab.call("GET", "/api/healing/issues?limit=500")).items as Issue[]).filter((i) =>
      DIAGNOSTIC.test(i.rule),
    );

  it("opens one anomaly issue for a CPU burn, explains it, and closes it after", {
    timeout: 16 * 60_000,
  }, async () => {
    const rules = (await lab.call("GET", "/api/v1/rules")).items as { id: string; builtin: boolean }[];
    expect(rules.filter((r) => ANOMALY_RULES.includes(r.id)).every((r) => r.builtin)).toBe(true);
    // learning the host's normal, with the machine's own noise in it: nothing opens meanwhile
    await new Promise((r) => setTimeout(r, LEARN_MS));
    expect(await issues()).toEqual([]);

    burners = burn(10);
    const opened: Issue[] = await waitFor(
      async () => {
        const found = (await issues()).filter((i) => ANOMALY_RULES.includes(i.rule));
        return found.length > 0 ? found : null;
      },
      { timeoutMs: 6 * 60_000, intervalMs: 2_000, what: "an anomaly issue for the CPU burn" },
    );
    const issue = opened[0];
    expect(issue.status).toBe("open");
    expect(["low", "medium"]).toContain(issue.severity);
    expect(issue.actions).toEqual([]);
    expect(issue.summary).toMatch(/outside its normal/);
    expect(issue.evidence.explanation).toMatch(
      /^Anomaly score (1|0\.\d+) \(bar 0\.7\) started it\. This host's normal (cpu|load1) is .* \(p1–p99 of \d+ samples\); the limit is .* above the limit for .* \(hold \d+ (s|min)/,
    );
    await new Promise((r) => setTimeout(r, 20_000));
    for (const b of burners) b.kill("SIGKILL");
    burners = [];

    const settled: Issue[] = await waitFor(
      async () => {
        const all = await issues();
        return all.length > 0 && all.every((i) => i.status === "resolved") ? all : null;
      },
      { timeoutMs: 5 * 60_000, intervalMs: 2_000, what: "the anomaly issue resolved after the burn" },
    );
    // one issue per rule that fired: no reopening, and only the fast metrics' rules
    const rulesFired = settled.map((i) => i.rule);
    expect(new Set(rulesFired).size).toBe(rulesFired.length);
    expect(rulesFired.every((r) => ANOMALY_RULES.includes(r))).toBe(true);
    expect(settled.map((i) => i.id)).toContain(issue.id);
  });
});
