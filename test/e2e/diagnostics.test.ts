/**
 * The built-in AI diagnostics end to end: the real Worker, the real agent on defaults (every 1 s,
 * the shortest interval the config allows) and a CPU burn. The burn is judged by `load_anomaly`:
 * on a machine busy with other work the host's cpu % already sits near 100, but the run queue is
 * unbounded, so a burn of many busy processes stands far above any busy host's load.
 *
 * Why the burn looks as it does (agent/engine/diagnostics.ts, signals.ts, anomaly/):
 * - the rule starts a streak only on a sample that both scores and is above its limit (1.25 × p99
 *   of normal), and load1 is the kernel's 1-minute average, updated every 5 s. So all burners are
 *   released at once, 10 × the highest load seen while learning, and the first update already
 *   jumps past the limit: its onset is what the detector scores;
 * - the streak then needs the load above the limit for the rule's hold (1 min): a smaller group of
 *   1.6 × the highest load keeps it there (above 1.25 × p99 even if the rest of the machine went
 *   idle), while the large group stops after 15 s, so the load climbs less high and is back under
 *   normal sooner once the burn ends;
 * - the detector must have seen enough of the host to tell the onset from its own noise: the burn
 *   comes after 5.5 minutes of the agent's samples (normal needs 5, the detector's warm-ups 200
 *   and 300 samples);
 * - the burn ends when the issue opens, and at the latest after 2 minutes, shorter than
 *   cpu_anomaly's 3-minute hold, so it yields one finding, not two.
 * No retry: a second attempt would learn the first burn's load as the host's normal.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
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
  detectedAt: string;
  resolvedAt: string | null;
  evidence: { explanation?: string };
};

const HOST = "diag-host";
const DIAGNOSTIC = /_(anomaly|baseline)$/;
const LEARN_MS = 330_000;
const BURN_CAP_MS = 120_000;
const KICK_MS = 15_000;
const KICK_PER_LOAD = 10;
const HOLD_PER_LOAD = 1.6;
const BURN_MAX = 400;

/** The fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, ... */
function procStats(): string[][] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      } catch {
        return [];
      }
    });
}

/**
 * `n` busy loops in one process group, each stopped (so not yet in the run queue) until release().
 * SCHED_IDLE: they count in load1 like any runnable process, but get the CPU only when nothing
 * else wants it, so the rest of the machine barely slows. `timeout` ends them all after `capS` even
 * if this test process dies without cleaning up.
 */
function burners(n: number, capS: number) {
  const loops = `for i in $(seq ${n}); do sh -c 'kill -STOP $$; while :; do :; done' & done; wait`;
  const proc: ChildProcess = spawn(
    "timeout",
    ["-s", "KILL", String(capS), "chrt", "--idle", "0", "sh", "-c", loops],
    { detached: true, stdio: "ignore" },
  );
  const pgid = proc.pid as number;
  const stopped = () => procStats().filter((f) => Number(f[2]) === pgid && f[0] === "T").length;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {}
  };
  return {
    ready: () => waitFor(async () => stopped() === n, { timeoutMs: 60_000, what: `${n} burners ready` }),
    release: () => signal("SIGCONT"),
    kill: () => signal("SIGKILL"),
  };
}

describe("built-in AI diagnostics, with the real Worker and the real agent on defaults", () => {
  let lab: Lab;
  const burns: ReturnType<typeof burners>[] = [];
  // the machine's load1 every second as the agent rounds it, from the agent's start, printed at
  // the end: what the detector saw, to replay through the engine when the test fails
  const loads: number[] = [];
  let sampler: ReturnType<typeof setInterval> | undefined;
  const stopBurns = () => {
    for (const b of burns.splice(0)) b.kill();
  };
  beforeAll(async () => {
    process.on("exit", stopBurns);
    lab = await startLab({ services: 0, interval: 1, hostName: HOST });
    sampler = setInterval(() => loads.push(Math.round(os.loadavg()[0] * 100) / 100), 1000);
  }, 300_000);
  afterAll(async () => {
    clearInterval(sampler);
    console.log(`diagnostics e2e: load1 every second: ${loads.join(" ")}`);
    stopBurns();
    process.off("exit", stopBurns);
    await lab?.stop();
  });

  const issues = async () =>
    ((await lab.call("GET", "/api/healing/issues?limit=500")).items as Issue[]).filter((i) =>
      DIAGNOSTIC.test(i.rule),
    );

  it("opens one explained, notify-only load anomaly for a CPU burn, and resolves it after", {
    timeout: 10 * 60_000,
    retry: 0,
  }, async () => {
    const rules = (await lab.call("GET", "/api/v1/rules")).items as { id: string; builtin: boolean }[];
    expect(rules.find((r) => r.id === "load_anomaly")).toMatchObject({ builtin: true });

    // learning the host's normal, with the machine's own noise in it: nothing opens meanwhile
    let highest = 0;
    const learnUntil = Date.now() + LEARN_MS;
    while (Date.now() < learnUntil) {
      highest = Math.max(highest, os.loadavg()[0]);
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(await issues()).toEqual([]);

    const hold = Math.min(BURN_MAX, Math.max(8, Math.ceil(HOLD_PER_LOAD * highest)));
    const kick = Math.min(BURN_MAX, Math.max(16, Math.ceil(KICK_PER_LOAD * highest))) - hold;
    const capS = Math.ceil((BURN_CAP_MS + 60_000) / 1000);
    const holding = burners(hold, capS);
    const kicking = burners(kick, capS);
    burns.push(holding, kicking);
    await Promise.all([holding.ready(), kicking.ready()]);
    const startedAt = Date.now();
    kicking.release();
    holding.release();
    const kicked = setTimeout(() => kicking.kill(), KICK_MS);
    const opened: Issue[] = await waitFor(
      async () => {
        const found = await issues();
        return found.length > 0 ? found : null;
      },
      {
        timeoutMs: BURN_CAP_MS,
        intervalMs: 1000,
        what: `an anomaly issue for a burn of ${hold + kick}, then ${hold} (load ≤ ${highest} while learning)`,
      },
    ).finally(() => {
      clearTimeout(kicked);
      stopBurns();
    });
    const openedAfterS = Math.round((Date.now() - startedAt) / 1000);

    expect(opened.map((i) => i.rule)).toEqual(["load_anomaly"]);
    const [issue] = opened;
    expect(issue).toMatchObject({ status: "open", severity: "medium", actions: [] });
    expect(issue.summary).toMatch(/outside its normal/);
    // the score, the host's normal range and the window
    expect(issue.evidence.explanation).toMatch(
      /^Anomaly score (1|0\.\d+) \(bar 0\.7\) started it\. This host's normal load1 is [\d.]+–[\d.]+ \(p1–p99 of \d+ samples\); the limit is [\d.]+ \(1\.25 × p99, at least 1\)\. load1 was [\d.]+, above the limit for .+ \(hold 60 s, window \d+ samples\)\./,
    );

    const settled: Issue[] = await waitFor(
      async () => {
        const all = await issues();
        return all.every((i) => i.status === "resolved") ? all : null;
      },
      { timeoutMs: 4 * 60_000, intervalMs: 2000, what: "the anomaly issue resolved after the burn" },
    );
    // one finding in all (no reopening, no cpu_anomaly), and notify-only: no command ran for it
    expect(settled.map((i) => i.id)).toEqual([issue.id]);
    const history = await lab.call("GET", `/api/healing/recovery-history?issue=${issue.id}`);
    expect(history.items).toEqual([]);
    const resolvedAfterS = Math.round((Date.parse(settled[0].resolvedAt ?? "") - startedAt) / 1000);
    console.log(
      `diagnostics e2e: highest learned load ${highest.toFixed(2)}, burn of ${hold + kick} then ${hold}, opened after ${openedAfterS} s, resolved ${resolvedAfterS} s after the burn started`,
    );
  });
});
