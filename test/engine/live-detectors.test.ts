import { describe, expect, it } from "vitest";
import { diagnosticRules, type EngineSample, evaluate, type HostEngineState } from "../../agent/engine";
import { T0 } from "./support/factories";

const rules = diagnosticRules();
const SEC = 10_000;

// cpu and load swing daily with noise and a burst now and then: the detectors learn and score
function report(i: number) {
  const ts = T0 + i * SEC;
  const wave = Math.sin(i / 30);
  const burst = i % 150 > 140 ? 60 : 0;
  const metrics = {
    cpu: 20 + 10 * wave + ((i * 7919) % 13) + burst,
    load1: 1 + wave + ((i * 104729) % 7) / 10 + burst / 20,
    memory: 50 + ((i * 31) % 5),
    "disk:/": 40,
  };
  const samples: EngineSample[] = [{ ts, metrics }];
  return { samples, now: ts };
}

const detectorsOf = (state: HostEngineState) =>
  Object.values(state.series ?? {}).flatMap((s) => (s.anomaly ? [s.anomaly] : []));

describe("live anomaly detectors", () => {
  it("a state handed back as returned steps the detector kept for it, one seen again restores from its snapshot", () => {
    let state: HostEngineState | undefined;
    for (let i = 0; i < 20; i++) state = evaluate(rules, state, report(i)).state;
    const returned = state as HostEngineState;
    expect(detectorsOf(returned)).toHaveLength(2);
    // a snapshot that cannot be restored: only the kept detector can carry on from this state
    for (const snapshot of detectorsOf(returned)) snapshot.memory = "";
    expect(() => evaluate(rules, returned, report(20))).not.toThrow();
    expect(() => evaluate(rules, returned, report(20))).toThrow(/memory size mismatch/);
  });

  it("gives a cold host (state read back from storage) the same results as a warm one, and the same result to a state evaluated twice", () => {
    let warm: HostEngineState | undefined;
    let cold: HostEngineState | undefined;
    let scored = 0;
    for (let i = 0; i < 450; i++) {
      const input = report(i);
      const a = evaluate(rules, warm, input);
      const again = evaluate(rules, warm, input);
      const b = evaluate(rules, cold, input);
      const expected = JSON.stringify(a);
      expect(JSON.stringify(b)).toBe(expected);
      expect(JSON.stringify(again)).toBe(expected);
      scored += (a.state.series?.cpu?.scores?.at(-1) ?? 0) > 0 ? 1 : 0;
      warm = a.state;
      cold = structuredClone(JSON.parse(JSON.stringify(b.state)));
    }
    expect(scored).toBeGreaterThan(10);
  }, 30_000);
});
