import { describe, expect, it } from "vitest";
import {
  admitMetricNames,
  DEFAULT_THRESHOLDS,
  defaultRules,
  type EngineSample,
  evaluate,
  forgetFuture,
  type HostEngineState,
  MAX_METRIC_NAMES,
  MAX_STATE_BYTES,
} from "../../agent/engine";
import { T0, thresholdRule } from "./support/factories";

const rules = defaultRules(DEFAULT_THRESHOLDS);
const bytes = (s: HostEngineState) => JSON.stringify(s).length;

/** `rounds` reports, each one sample of `names` mounts filling steadily, `stepMs` apart. */
function feed(names: string[], rounds: number, state?: HostEngineState, start = T0, stepMs = 360_000) {
  let s = state;
  for (let i = 0; i < rounds; i++) {
    const ts = start + i * stepMs;
    const sample: EngineSample = { ts, metrics: Object.fromEntries(names.map((n) => [n, 20 + i / 10])) };
    s = evaluate(rules, s, { samples: [sample], now: ts }).state;
  }
  return s as HostEngineState;
}

describe("the engine state's byte cap", () => {
  it("prunes the least recently seen trends once the state passes its cap, keeping the newest", () => {
    const old = Array.from({ length: 300 }, (_, i) => `disk:/old${i}`);
    const fresh = Array.from({ length: 20 }, (_, i) => `disk:/new${i}`);
    const before = feed(old, 20);
    expect(bytes(before)).toBeLessThanOrEqual(MAX_STATE_BYTES);
    const after = feed(fresh, 20, before, T0 + 20 * 360_000);
    expect(bytes(after)).toBeLessThanOrEqual(MAX_STATE_BYTES);
    const kept = Object.keys(after.series ?? {});
    for (const name of fresh) expect(kept).toContain(name);
    expect(kept.filter((k) => k.startsWith("disk:/old")).length).toBeLessThan(old.length);
  });

  it("prunes the same entries whatever order the state was written in", () => {
    const names = Array.from({ length: 200 }, (_, i) => `disk:/m${i}`);
    const a = feed(names, 12);
    const reversed = { ...a, series: Object.fromEntries(Object.entries(a.series ?? {}).reverse()) };
    const next = (s: HostEngineState) =>
      Object.keys(evaluate(rules, s, { samples: [], now: T0 + 3_600_000 }).state.series ?? {}).sort();
    expect(next(reversed)).toEqual(next(a));
  });

  it("keeps a track with an open issue while older trends can still go", () => {
    const rule = thresholdRule({ id: "hot", metric: "temp", durationSeconds: 0 });
    const opened = evaluate([rule, ...rules], undefined, {
      samples: [{ ts: T0, metrics: { temp: 99 } }],
      now: T0,
    }).state;
    expect(opened.tracks["hot|"]?.active).toBe(true);
    const names = Array.from({ length: 200 }, (_, i) => `disk:/m${i}`);
    let s = opened;
    for (let i = 1; i <= 20; i++) {
      const ts = T0 + i * 60_000;
      const metrics = Object.fromEntries(names.map((n) => [n, 30]));
      s = evaluate([rule, ...rules], s, { samples: [{ ts, metrics }], now: ts }).state;
    }
    expect(bytes(s)).toBeLessThanOrEqual(MAX_STATE_BYTES);
    expect(s.tracks["hot|"]?.active).toBe(true);
  });
});

describe("the metric-name cap", () => {
  it("refuses new names past the cap and keeps every name it already knows", () => {
    const known = Object.fromEntries(
      Array.from({ length: MAX_METRIC_NAMES - 1 }, (_, i) => [`m${i}`, Math.floor(T0 / 3_600_000)]),
    );
    const samples = [{ m0: 1, cpu: 2, "disk:/a": 3, "disk:/b": 4 }];
    const { names, refused } = admitMetricNames(known, samples, T0);
    expect(refused).toEqual(["disk:/a", "disk:/b"]);
    expect(samples).toEqual([{ m0: 1, cpu: 2 }]);
    expect(Object.keys(names)).toHaveLength(MAX_METRIC_NAMES);
    expect(names.cpu).toBeDefined();
  });

  it("forgets a name not reported for a day, freeing its slot", () => {
    const hour = Math.floor(T0 / 3_600_000);
    const known = Object.fromEntries(
      Array.from({ length: MAX_METRIC_NAMES }, (_, i) => [`m${i}`, i === 0 ? hour - 30 : hour]),
    );
    const { names, refused } = admitMetricNames(known, [{ fresh: 1 }], T0);
    expect(refused).toEqual([]);
    expect(names.m0).toBeUndefined();
    expect(names.fresh).toBe(hour);
  });
});

describe("forgetting what came from the future", () => {
  const latest = T0 + 3_600_000;
  const state = (pts: [number, number][]): HostEngineState => ({
    v: 1,
    tracks: {},
    series: {
      "disk:/": { at: T0, trend: { pts, n: 1 } },
      memory: { at: T0, trend: { pts: [[T0, 40]], n: 1 } },
    },
  });

  it("drops a series one of whose trend points is after the latest time, wherever it sits", () => {
    // a late sample's point goes to the end of the window, so a future one may sit anywhere
    for (const at of [0, 1, 2]) {
      const pts: [number, number][] = [
        [T0 - 120_000, 10],
        [T0 - 60_000, 11],
        [T0, 12],
      ];
      pts[at] = [latest + 1, 99];
      expect(Object.keys(forgetFuture(state(pts), latest).series ?? {})).toEqual(["memory"]);
    }
  });

  it("keeps the very state when no trend point is after the latest time", () => {
    const s = state([
      [T0 - 60_000, 10],
      [latest, 11],
    ]);
    expect(forgetFuture(s, latest)).toBe(s);
  });
});
