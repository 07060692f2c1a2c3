import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createDetector, DEFAULT_PARAMS, restoreDetector, scoreSeries } from "../../agent/engine/anomaly";
import { runCorpus } from "../../bench/nab/run";
import { alarmsIn as alarmsAt, series } from "./support/series-gen";

// just under the threshold NAB picks for the standard profile (0.68 on the 41 files)
const ALARM = 0.65;
const alarmsIn = (scores: ArrayLike<number>, from: number, to = scores.length) =>
  alarmsAt(scores, ALARM, from, to);

const DAY = 288; // 5-minute points per day
const daily = (i: number) => 50 + 30 * Math.sin((2 * Math.PI * i) / DAY);

describe("anomaly detector", () => {
  it("keeps every score within [0, 1], including for constant and non-finite input", () => {
    const inputs = [
      series(2000, () => 5, 0).values,
      series(2000, (i) => (i % 7) * 1e9).values,
      [1, Number.NaN, 2],
    ];
    for (const values of inputs) {
      for (const s of scoreSeries(
        values.map((_, i) => i),
        values,
      )) {
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }
    }
  });

  // the resonance view reports at the end of its downsampling block: at most `step` points late
  const BLOCK = DEFAULT_PARAMS.resonance.step;

  it("flags a step change within one downsampling block of the step", () => {
    const { ts, values } = series(2000, (i) => (i < 1500 ? 10 : 40), 2);
    const scores = scoreSeries(ts, values);
    expect(alarmsIn(scores, 1500, 1500 + BLOCK)).toBeGreaterThan(0);
  });

  it("flags a single spike within one downsampling block of the spike", () => {
    const { ts, values } = series(2000, (i) => (i === 1500 ? 60 : 10), 2);
    const scores = scoreSeries(ts, values);
    expect(alarmsIn(scores, 1500, 1500 + BLOCK)).toBeGreaterThan(0);
  });

  it("flags a slow drift once it leaves the range learned in warm-up, with at most a rare alarm on the noisy flat start", () => {
    const { ts, values } = series(4000, (i) => 20 + Math.max(0, i - 1000) * 0.01, 1);
    const scores = scoreSeries(ts, values);
    expect(alarmsIn(scores, 0, 1000)).toBeLessThanOrEqual(2);
    expect(alarmsIn(scores, 1000)).toBeGreaterThan(0);
  });

  it("flags a leak (steady linear growth) but rests between alarms instead of firing on every point", () => {
    const { ts, values } = series(3000, (i) => 30 + Math.max(0, i - 1000) * 0.05, 1);
    const scores = scoreSeries(ts, values);
    const alarms = alarmsIn(scores, 1000);
    expect(alarms).toBeGreaterThan(0);
    expect(alarms).toBeLessThanOrEqual(Math.ceil(2000 / DEFAULT_PARAMS.restPeriod));
  });

  it("learns a noisy daily pattern and then stays quiet on it", () => {
    const { ts, values } = series(DAY * 20, daily, 3);
    const scores = scoreSeries(ts, values);
    expect(alarmsIn(scores, DAY * 10)).toBeLessThanOrEqual(2);
  });

  it("flags a day that breaks the learned daily pattern", () => {
    const broken = (i: number) => (i >= DAY * 12 && i < DAY * 13 ? 50 : daily(i));
    const { ts, values } = series(DAY * 14, broken, 3);
    const scores = scoreSeries(ts, values);
    expect(alarmsIn(scores, DAY * 12, DAY * 13)).toBeGreaterThan(0);
  });

  it("gives pure noise few or no high scores", () => {
    const { ts, values } = series(10_000, () => 100, 10, 7);
    const scores = scoreSeries(ts, values);
    expect(alarmsIn(scores, 0)).toBeLessThanOrEqual(10);
  });

  it("serialises to at most 4 KB of JSON and continues identically after a restore", () => {
    const { ts, values } = series(3000, daily, 3);
    const whole = createDetector();
    const first = createDetector();
    const expected = ts.map((t, i) => whole.step(t, values[i]));
    for (let i = 0; i < 1700; i++) first.step(ts[i], values[i]);
    const saved = JSON.stringify(first);
    expect(saved.length).toBeLessThanOrEqual(4096);
    const resumed = restoreDetector(saved);
    const rest = ts.slice(1700).map((t, i) => resumed.step(t, values[1700 + i]));
    expect(rest).toEqual(expected.slice(1700));
    expect(JSON.stringify(resumed)).toEqual(JSON.stringify(whole));
  });

  it("stays within 4 KB of JSON at every point, warm-up included, and restores at any of them", () => {
    const { ts, values } = series(4000, (i) => daily(i) * 1.234567891 + (i > 3000 ? 40 : 0), 3, 11);
    const d = createDetector();
    let maxBytes = 0;
    for (let i = 0; i < ts.length; i++) {
      d.step(ts[i], values[i]);
      if (i % 97 === 0 || i === DEFAULT_PARAMS.resonance.warmup - 1) {
        const saved = JSON.stringify(d);
        maxBytes = Math.max(maxBytes, saved.length);
        const again = restoreDetector(saved);
        expect(JSON.stringify(again)).toEqual(saved);
      }
    }
    expect(maxBytes).toBeLessThanOrEqual(4096);
  });

  it("continues identically when restored in the middle of the warm-up", () => {
    const { ts, values } = series(2000, daily, 3, 5);
    const whole = scoreSeries(ts, values);
    const first = createDetector();
    for (let i = 0; i < 400; i++) first.step(ts[i], values[i]);
    const resumed = restoreDetector(JSON.stringify(first));
    const rest = ts.slice(400).map((t, i) => resumed.step(t, values[400 + i]));
    expect(rest).toEqual(Array.from(whole.slice(400)));
  });

  it("keeps at most `capacity` resonance categories however varied the input", () => {
    const { ts, values } = series(6000, () => 50, 40, 9);
    const d = createDetector({ resonance: { capacity: 10 } });
    for (let i = 0; i < ts.length; i++) d.step(ts[i], values[i]);
    const cats = d.toJSON().res.cats;
    expect(cats.length).toBeLessThanOrEqual(10 * 2 * DEFAULT_PARAMS.resonance.window);
    expect(cats.length).toBeGreaterThan(0);
  });

  it("accepts partial resonance parameters, keeping the other defaults", () => {
    const d = createDetector({ resonance: { margin: 0.5 } });
    expect(d.params.resonance).toEqual({ ...DEFAULT_PARAMS.resonance, margin: 0.5 });
  });

  it("flags a change of shape at a level seen before (resonance view)", () => {
    // a square wave whose period halves: every level was seen, the windows were not
    const f = (i: number) => ((i < 2400 ? Math.floor(i / 60) : Math.floor(i / 12)) % 2 ? 80 : 20);
    const { ts, values } = series(3000, f, 1, 4);
    const scores = scoreSeries(ts, values, { levels: [5, 10, 5] });
    expect(alarmsIn(scores, 2400, 2600)).toBeGreaterThan(0);
    expect(alarmsIn(scores, 1000, 2400)).toBeLessThanOrEqual(2);
  });

  it("does not look ahead: the scores of a prefix equal the first scores of the full run", () => {
    const { ts, values } = series(2500, (i) => (i > 1800 ? 80 : daily(i)), 3);
    const full = scoreSeries(ts, values);
    const prefix = scoreSeries(ts.slice(0, 1900), values.slice(0, 1900));
    expect(Array.from(prefix)).toEqual(Array.from(full.slice(0, 1900)));
  });

  it("is deterministic: the same input gives the same scores", () => {
    const { ts, values } = series(2000, daily, 5, 3);
    expect(Array.from(scoreSeries(ts, values))).toEqual(Array.from(scoreSeries(ts, values)));
  });
});

describe("NAB bench", () => {
  it("writes one result row per input row, in the scorer's layout", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "nab-"));
    const data = path.join(root, "data");
    const out = path.join(root, "out");
    fs.mkdirSync(path.join(data, "synthetic"), { recursive: true });
    const { ts, values } = series(1200, daily, 2);
    const stamp = (t: number) =>
      new Date(Date.UTC(2024, 0, 1) + t).toISOString().slice(0, 19).replace("T", " ");
    const csv = ["timestamp,value", ...ts.map((t, i) => `${stamp(t)},${values[i]}`)].join("\n");
    fs.writeFileSync(path.join(data, "synthetic", "daily.csv"), `${csv}\n`);

    const { stateBytes } = runCorpus(data, out);

    const rows = fs
      .readFileSync(path.join(out, "synthetic", "selfheal_daily.csv"), "utf8")
      .trim()
      .split("\n");
    expect(rows[0]).toBe("timestamp,value,anomaly_score,label");
    expect(rows.length - 1).toBe(1200);
    expect(rows[1].split(",")[0]).toBe(stamp(0));
    expect(stateBytes[0]).toBeLessThanOrEqual(4096);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
