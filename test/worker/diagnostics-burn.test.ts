/**
 * The built-in AI diagnostics on a real host's load, through the real report endpoint and host
 * object, one sample per report as the agent sends them at its 1 s interval.
 *
 * The fixture is load1 as a real agent saw it on this kind of machine (shared, 2 cores, load ~15),
 * from the agent's start: 318 s of the machine's own noise, then a CPU burn of 175 busy processes
 * for ~2 minutes, then the decay back to normal. load1 is the kernel's 1-minute average, updated
 * every 5 s, hence the runs of equal values. In the noise a dip under the warm-up's range scores as
 * novel (harmless: it is not above the band) 80 s before the burn; the burn must still be scored.
 */
import { describe, expect, it } from "vitest";
import { newTenant, sample } from "./support/harness";
import trace from "./support/load1-cpu-burn.txt?raw";

const SECOND = 1000;
const BURN_AT = 318;
const DIAGNOSTIC = /_(anomaly|baseline)$/;

describe("built-in diagnostics on a real host's load", () => {
  it("opens one explained load anomaly for a CPU burn reported every second, and resolves it after", {
    timeout: 300_000,
  }, async () => {
    const loads = trace.trim().split(/\s+/).map(Number);
    expect(loads[BURN_AT - 1]).toBeLessThan(17);
    expect(loads[BURN_AT]).toBeGreaterThan(25);
    const t = await newTenant();
    const agent = await t.enroll("burn-host");
    const start = Date.now() - loads.length * SECOND;
    for (let i = 0; i < loads.length; i++)
      await agent.report({ samples: [sample({ cpu: 95, load1: loads[i] }, start + i * SECOND)] });

    const issues = (await t.issues(`?host=${agent.hostId}`)).filter((i) => DIAGNOSTIC.test(i.rule));
    expect(issues.map((i) => i.rule)).toEqual(["load_anomaly"]);
    const [issue] = issues;
    expect(issue).toMatchObject({ status: "resolved", severity: "medium", actions: [] });
    // its streak began at the burn's onset (the first two load updates), not when the climb was
    // already part of normal
    const since = new Date(issue.evidence.since as number | string).getTime();
    const sinceS = (since - (start + BURN_AT * SECOND)) / SECOND;
    expect(sinceS).toBeGreaterThanOrEqual(0);
    expect(sinceS).toBeLessThan(10);
    expect(issue.evidence.explanation).toMatch(
      /^Anomaly score (1|0\.\d+) \(bar 0\.7\) started it\. This host's normal load1 is [\d.]+–[\d.]+ \(p1–p99 of \d+ samples\); the limit is [\d.]+ \(1\.25 × p99, at least 1\)\. load1 was [\d.]+, above the limit for .+ \(hold 60 s, window \d+ samples\)\./,
    );
    // normal is the host before the burn: the burn's climb did not teach itself into it
    const limit = Number(/the limit is ([\d.]+)/.exec(String(issue.evidence.explanation))?.[1]);
    expect(limit).toBeLessThan(1.25 * 17.5);
  });
});
