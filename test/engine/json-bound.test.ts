import { describe, expect, it } from "vitest";
import { type HostEngineState, pruneState } from "../../agent/engine";
import { createDetector, type DetectorSnapshot } from "../../agent/engine/anomaly";
import { type Baseline, emptyBaseline, learnBaseline } from "../../agent/engine/baseline";
import { SNAPSHOT_MAX_BYTES, stateBytesAtMost } from "../../agent/engine/budget";
import { jsonBytesAtMost } from "../../agent/engine/json-bound";

const worst: unknown[] = [
  -0.0000012345678901234567,
  -1.7976931348623157e308,
  -2.2250738585072014e-308,
  -123456789012345680000,
  -9007199254740991,
  "plain ascii, no escapes",
  "emoji 😀 and é",
  Number.NaN,
  Number.NEGATIVE_INFINITY,
  '\u0000\u001f"\\\ud800 é',
  "",
  true,
  false,
  null,
  [undefined, null, [], {}],
  { skipped: undefined, '\u0001key"': [1.5, -0.1] },
];

describe("the JSON size bound", () => {
  it("is never below the serialized length, worst-case numbers and escapes included", () => {
    for (const value of [...worst, worst, { nested: { all: worst } }]) {
      expect(jsonBytesAtMost(value, Number.POSITIVE_INFINITY)).toBeGreaterThanOrEqual(
        JSON.stringify(value)?.length ?? 0,
      );
    }
  });

  it("is never below the length of [time, value] pairs, bounded in place, of worst-case numbers", () => {
    const numbers = worst.filter((v) => typeof v === "number") as number[];
    for (const a of numbers)
      for (const b of numbers) {
        const pairs = [
          [a, b],
          [a, b],
        ];
        for (const value of [pairs, { pts: pairs, n: 1 }])
          expect(jsonBytesAtMost(value, Number.POSITIVE_INFINITY)).toBeGreaterThanOrEqual(
            JSON.stringify(value).length,
          );
      }
  });

  it("walks a pair that is not two plain numbers", () => {
    const odd = [
      [1, '\u0000"\\ long enough to be more than its two bytes'],
      [[-0.0000012345678901234567, -1.7976931348623157e308], -2.2250738585072014e-308],
      [{ '"': -123456789012345680000 }, 1],
    ];
    expect(jsonBytesAtMost(odd, Number.POSITIVE_INFINITY)).toBeGreaterThanOrEqual(JSON.stringify(odd).length);
    const dated = Object.assign([1, 2], { toJSON: () => "a long text in place of the pair".repeat(20) });
    expect(jsonBytesAtMost([dated], 1e9)).toBe(Number.POSITIVE_INFINITY);
  });

  it("is never below the length of keys that need escapes, short or long", () => {
    // each character of these escapes to two or six: ten of them outgrow any slack of the value
    const chars = ['"', "\\", "\u0000", "\u001f", "\ud800", "\udfff", "é", "c"];
    const keys = [...chars.map((c) => c.repeat(10)), ...chars.map((c) => c.repeat(40))];
    for (const key of keys)
      expect(jsonBytesAtMost({ [key]: "" }, Number.POSITIVE_INFINITY)).toBeGreaterThanOrEqual(
        JSON.stringify({ [key]: "" }).length,
      );
  });

  it("stays within a small factor of the real size for numeric state", () => {
    const state = {
      series: { cpu: { pts: Array.from({ length: 60 }, (_, i) => [1.7e12 + i * 6e4, 33.3 + i]) } },
    };
    const real = JSON.stringify(state).length;
    const bound = jsonBytesAtMost(state, Number.POSITIVE_INFINITY);
    expect(bound).toBeGreaterThanOrEqual(real);
    expect(bound).toBeLessThan(3 * real);
  });

  it("gives up on values that are not plain data", () => {
    expect(jsonBytesAtMost({ at: new Date(0) }, 1e9)).toBe(Number.POSITIVE_INFINITY);
    expect(jsonBytesAtMost({ n: 10n }, 1e9)).toBe(Number.POSITIVE_INFINITY);
  });

  it("stops walking once past the limit", () => {
    expect(
      jsonBytesAtMost(
        Array.from({ length: 1000 }, () => 1),
        100,
      ),
    ).toBeLessThan(200);
  });
});

describe("a baseline's bins in the state's size bound", () => {
  it("are bounded as learnt at no less than their JSON's length, as bins come and decay away", () => {
    let cpu: Baseline = emptyBaseline();
    let rx: Baseline = emptyBaseline();
    for (let i = 0; i < 3000; i++) {
      // a level that moves now and then, and a rate over six decades: bins appear and fade out
      const ts = i * 3_600_000;
      cpu = learnBaseline(cpu, ts, (i % 500 < 250 ? 20 : 70) + ((i * 7919) % 17), true);
      rx = learnBaseline(rx, ts, 10 ** (1 + (i % 600) / 100) + ((i * 104729) % 1000), false);
      for (const b of [cpu, rx]) {
        const bound = jsonBytesAtMost(b, Number.POSITIVE_INFINITY);
        expect(bound).toBeGreaterThanOrEqual(JSON.stringify(b).length);
        expect(bound).toBeLessThan(3 * JSON.stringify(b).length);
        // bins read back from JSON are walked: what learning remembered bounds them too
        const read = JSON.parse(JSON.stringify(b.bins));
        expect(jsonBytesAtMost(b.bins, Number.POSITIVE_INFINITY)).toBeGreaterThanOrEqual(
          jsonBytesAtMost(read, Number.POSITIVE_INFINITY),
        );
      }
    }
    expect(Object.keys(rx.bins).length).toBeGreaterThan(20);
  });
});

describe("a detector's snapshot in the state's size bound", () => {
  const snapshot = (points: number) => {
    const detector = createDetector();
    for (let i = 0; i < points; i++)
      detector.step(i * 60_000, 50 + 10 * Math.sin(i / 7) + ((i * 7919) % 13) * i);
    return JSON.parse(JSON.stringify(detector)) as DetectorSnapshot;
  };
  const state = (n: number): HostEngineState => ({
    v: 1,
    tracks: {},
    series: Object.fromEntries(
      Array.from({ length: n }, (_, m) => [
        `m${m}`,
        { at: 1e12 + m, scores: [0.1, 0.5], anomaly: snapshot(300 * m) },
      ]),
    ),
  });

  it("stays within the bytes the bound counts it as, after a long and noisy life", () => {
    expect(JSON.stringify(snapshot(30_000)).length).toBeLessThanOrEqual(SNAPSHOT_MAX_BYTES);
  });

  it("is counted as its cap, not walked, and the bound stays above the state's length", () => {
    const s = state(4);
    const lean = {
      ...s,
      series: Object.fromEntries(Object.entries(s.series ?? {}).map(([k, { anomaly: _a, ...r }]) => [k, r])),
    };
    const bound = stateBytesAtMost(s, Number.POSITIVE_INFINITY);
    expect(bound).toBe(jsonBytesAtMost(lean, Number.POSITIVE_INFINITY) + 4 * (SNAPSHOT_MAX_BYTES + 11));
    expect(bound).toBeGreaterThanOrEqual(JSON.stringify(s).length);
  });

  it("prunes a state of snapshots as the state's exact length says", () => {
    const s = state(8);
    const size = JSON.stringify(s).length;
    expect(pruneState(s, size)).toBe(s);
    expect(Object.keys(pruneState(s, size - 1).series ?? {})).toEqual([
      "m1",
      "m2",
      "m3",
      "m4",
      "m5",
      "m6",
      "m7",
    ]);
  });
});

describe("pruning a state near its cap", () => {
  const state: HostEngineState = {
    v: 1,
    tracks: {},
    series: Object.fromEntries(
      Array.from({ length: 20 }, (_, m) => [
        `disk:/m${m}`,
        {
          at: 1e12 + m,
          trend: { pts: Array.from({ length: 30 }, (_, i) => [1e12 + i, i / 3] as [number, number]), n: 1 },
        },
      ]),
    ),
  };
  const size = JSON.stringify(state).length;

  it("keeps a state exactly at its cap whole, though the size bound passes the cap", () => {
    expect(jsonBytesAtMost(state, Number.POSITIVE_INFINITY)).toBeGreaterThan(size);
    expect(pruneState(state, size)).toBe(state);
  });

  it("prunes the least recently seen series of a state one byte over its cap", () => {
    const pruned = pruneState(state, size - 1);
    expect(Object.keys(pruned.series ?? {})).toEqual(Object.keys(state.series ?? {}).slice(1));
  });
});
