import { describe, expect, it } from "vitest";
import {
  DEFAULT_THRESHOLDS,
  DIAGNOSTIC_RULE_IDS,
  defaultRules,
  type EngineSample,
  evaluate,
  type HostEngineState,
  type Rule,
  raiseBar,
} from "../../agent/engine";
import { T0 } from "./support/factories";

const STEP = 2_000;

// deterministic noise (the engine takes no randomness it is not handed)
function noise(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296;
  };
}

/** A 2 s host: cpu and load of a calm machine, then `burn` samples of a CPU burn, then calm again. */
function host(calm: number, burn: number, after: number, seed = 3): EngineSample[] {
  const rnd = noise(seed);
  const out: EngineSample[] = [];
  for (let i = 0; i < calm + burn + after; i++) {
    const burning = i >= calm && i < calm + burn;
    out.push({
      ts: T0 + i * STEP,
      metrics: {
        cpu: burning ? 97 + rnd() * 3 : 10 + rnd() * 25,
        load1: burning ? 6 + rnd() : 0.4 + rnd() * 0.8,
        memory: 41 + rnd(),
        disk: 63,
        "net.rx": 20_000 + rnd() * 5_000,
        "net.tx": 10_000 + rnd() * 5_000,
      },
    });
  }
  return out;
}

const diagnostics = () => defaultRules(DEFAULT_THRESHOLDS, { diagnostics: true });
const only = (ids: string[]) => diagnostics().filter((r) => ids.includes(r.id));

/** Runs the samples in reports of 15 (as an agent at 2 s with a 30 s report would). */
function run(rules: Rule[], samples: EngineSample[]) {
  let state: HostEngineState | undefined;
  const opened = [];
  const cleared = [];
  for (let i = 0; i < samples.length; i += 15) {
    const batch = samples.slice(i, i + 15);
    const r = evaluate(rules, state, { samples: batch, now: batch.at(-1)?.ts ?? T0 });
    state = r.state;
    opened.push(...r.opened);
    cleared.push(...r.cleared);
  }
  return { opened, cleared, state };
}

describe("built-in AI diagnostics under enable_ai_diagnostics", () => {
  it("adds notify-only baseline and anomaly rules on cpu, memory, disk, load and network when on", () => {
    const rules = diagnostics().filter((r) => DIAGNOSTIC_RULE_IDS.includes(r.id));
    expect(rules.map((r) => r.metric).sort()).toEqual(["cpu", "disk", "load1", "memory", "net.rx", "net.tx"]);
    expect(new Set(rules.map((r) => r.kind))).toEqual(new Set(["anomaly", "baseline"]));
    for (const r of rules) {
      expect(r.actions).toEqual([]);
      expect(["low", "medium"]).toContain(r.severity);
      expect(r.durationSeconds).toBeGreaterThanOrEqual(60);
      expect(r.factor).toBeGreaterThan(1);
      expect(r.builtin).toBe(true);
    }
  });

  it("adds none of them when off", () => {
    const off = defaultRules(DEFAULT_THRESHOLDS, { diagnostics: false }).map((r) => r.id);
    expect(off.filter((id) => DIAGNOSTIC_RULE_IDS.includes(id))).toEqual([]);
    expect(defaultRules(DEFAULT_THRESHOLDS).map((r) => r.id)).toEqual(off);
  });

  it("stays quiet on a calm, noisy host for 40 minutes", { timeout: 30_000 }, () => {
    const { opened, state } = run(diagnostics(), host(1200, 0, 0));
    expect(opened.filter((f) => DIAGNOSTIC_RULE_IDS.includes(f.ruleId))).toEqual([]);
    // it did judge: every metric has a ready baseline
    for (const m of ["cpu", "load1", "memory", "disk", "net.rx", "net.tx"])
      expect(state?.series?.[m]?.baseline?.seen).toBe(1200);
  });

  it("opens one cpu anomaly for a CPU burn, explains it, and clears it after", () => {
    // 15 min to learn, a 5 min burn, 5 min after
    const { opened, cleared } = run(only(["cpu_anomaly"]), host(450, 150, 150));
    expect(opened.map((f) => f.ruleId)).toEqual(["cpu_anomaly"]);
    const f = opened[0];
    expect(f.severity).toBe("medium");
    expect(f.at - T0).toBeGreaterThanOrEqual(450 * STEP + 180_000);
    expect(f.evidence.extra?.score).toBeGreaterThanOrEqual(0.7);
    expect(f.evidence.extra?.baseline).toBeLessThan(40);
    expect(f.evidence.explanation).toMatch(
      /Anomaly score (1|0\.\d+) .*normal cpu is \d+(\.\d)?–\d+(\.\d)? \(p1–p99 of \d+ samples\).*for 3 min/,
    );
    expect(cleared.map((c) => [c.ruleId, c.reason])).toEqual([["cpu_anomaly", "recovered"]]);
    expect(cleared[0].at).toBeGreaterThanOrEqual(T0 + 600 * STEP);
  });

  it("scores a burn that comes soon after a harmless alarm in the host's own noise", () => {
    // load1 every second: a dip under anything seen (novel, but nowhere near the band) 50 s before
    // a burn. The detector's rests after that alarm must not mute the burn's onset for the rule.
    const rnd = noise(7);
    const samples: EngineSample[] = Array.from({ length: 700 }, (_, i) => {
      const load1 = i >= 330 && i < 335 ? 11 : i >= 380 && i < 470 ? 40 + rnd() * 2 : 15 + rnd() * 2;
      return { ts: T0 + i * 1000, metrics: { load1 } };
    });
    const rules = only(["load_anomaly"]);
    let state: HostEngineState | undefined;
    const opened: number[] = [];
    const cleared: number[] = [];
    samples.forEach((sample, i) => {
      const r = evaluate(rules, state, { samples: [sample], now: sample.ts });
      state = r.state;
      if (r.opened.length) opened.push(i);
      if (r.cleared.length) cleared.push(i);
    });
    // the streak starts at the onset and opens after the rule's 1 min hold; it clears after the burn
    expect(opened).toEqual([440]);
    expect(cleared).toEqual([470]);
  });

  it("does not learn the burn as normal while it lasts", () => {
    const { state } = run(only(["cpu_anomaly"]), host(450, 150, 0));
    const bins = state?.series?.cpu?.baseline?.bins ?? {};
    expect(Object.keys(bins).filter((b) => Number(b) >= 190)).toEqual([]);
    expect(state?.series?.cpu?.baseline?.seen).toBe(450);
  });
});

describe("noise feedback raises a rule's bar", () => {
  const cpu = () => only(["cpu_anomaly"])[0];

  it("lengthens the hold and widens the band with each mark, and says so", () => {
    const one = raiseBar(cpu(), 1);
    const two = raiseBar(cpu(), 2);
    expect(one.durationSeconds).toBeGreaterThan(cpu().durationSeconds);
    expect(two.durationSeconds).toBeGreaterThan(one.durationSeconds);
    expect(one.factor).toBeGreaterThan(cpu().factor ?? 1);
    expect(one.noise).toEqual({ marks: 1, baseDurationSeconds: 180, baseFactor: 1.1 });
    const { opened } = run([raiseBar(cpu(), 1)], host(450, 300, 0));
    expect(opened[0].evidence.explanation).toMatch(
      /Bar raised after 1 noise mark on this host: hold 6 min \(was 3 min\), band 1.38 × \(was 1.1 ×\)/,
    );
  });

  it("keeps a burn shorter than the raised hold from opening", () => {
    // 4 min of burn: over the default hold (3 min), under one mark's (6 min)
    expect(run([cpu()], host(450, 120, 30)).opened).toHaveLength(1);
    expect(run([raiseBar(cpu(), 1)], host(450, 120, 30)).opened).toHaveLength(0);
  });

  it("is undone by zero marks: the rule is back as it was", () => {
    expect(raiseBar(cpu(), 0)).toEqual(cpu());
    expect(raiseBar(raiseBar(cpu(), 2), 0)).toEqual(raiseBar(cpu(), 2));
    // raising a raised rule starts from its original bar, not from the raised one
    expect(raiseBar(raiseBar(cpu(), 2), 1)).toEqual(raiseBar(cpu(), 1));
  });
});
