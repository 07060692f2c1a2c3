import { describe, expect, it } from "vitest";
import { createDetector, DEFAULT_PARAMS, restoreDetector, scoreSeries } from "../../agent/engine/anomaly";
import { alarmsIn, series } from "./support/series-gen";

const DAY = 288; // 5-minute points per day
const ALARM = 0.65;
const alarms = (scores: ArrayLike<number>, from: number, to = scores.length) =>
  alarmsIn(scores, ALARM, from, to);

// the warm-up sees only a quiet level; from row 600 a full daily swing starts and then repeats
const outgrown = (i: number) => (i < 600 ? 20 : 50 + 30 * Math.sin((2 * Math.PI * i) / DAY));

describe("anomaly detector: range re-learning and output rest", () => {
  it("re-learns a range that later data outgrows and goes quiet on the new normal", () => {
    const { ts, values } = series(DAY * 30, outgrown, 2, 1);
    const relearnt = scoreSeries(ts, values);
    const frozen = scoreSeries(ts, values, { resonance: { rerangeAt: 0 } });
    expect(alarms(relearnt, DAY * 10)).toBeLessThanOrEqual(5);
    expect(alarms(frozen, DAY * 10)).toBeGreaterThan(alarms(relearnt, DAY * 10));
  });

  it("continues identically when restored just before a re-ranging", () => {
    const at = DEFAULT_PARAMS.resonance.rerangeAt ?? 0;
    expect(at).toBeGreaterThan(0);
    const { ts, values } = series(at * 4 + 100, outgrown, 2, 2);
    const whole = scoreSeries(ts, values);
    const first = createDetector();
    for (let i = 0; i < at - 3; i++) first.step(ts[i], values[i]);
    const resumed = restoreDetector(JSON.stringify(first));
    const rest = ts.slice(at - 3).map((t, i) => resumed.step(t, values[at - 3 + i]));
    expect(rest).toEqual(Array.from(whole.slice(at - 3)));
  });

  it("rests for `outputRest` points after every output alarm", () => {
    // spikes every 7 points from row 1500: each would alarm on its own
    const spiky = (i: number) => (i >= 1500 && i % 7 === 0 ? 200 : 10);
    const { ts, values } = series(3000, spiky, 1, 3);
    const rest = DEFAULT_PARAMS.outputRest ?? 0;
    const alarm = DEFAULT_PARAMS.outputAlarm ?? 1;
    expect(rest).toBeGreaterThan(0);
    // incident damping would also thin out the repeated alarms: keep it out of this check
    const scores = scoreSeries(ts, values, { incident: null });
    let fired = 0;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] < alarm) continue;
      fired++;
      for (let k = i + 1; k <= Math.min(i + rest, scores.length - 1); k++) expect(scores[k]).toBe(0);
    }
    expect(fired).toBeGreaterThan(0);
    const unrested = scoreSeries(ts, values, { outputRest: 0, incident: null });
    expect(alarms(unrested, 1500)).toBeGreaterThan(alarms(scores, 1500));
  });

  it("restores a snapshot written before re-ranging and output rest existed, and keeps scoring", () => {
    const { ts, values } = series(1500, outgrown, 2, 4);
    const d = createDetector();
    for (let i = 0; i < 1200; i++) d.step(ts[i], values[i]);
    const snap = d.toJSON();
    // what an older version wrote: no calm, no mn/mx, params without the new knobs
    const { calm: _calm, ...rest } = snap;
    const { outputAlarm: _a, outputRest: _r, ...params } = snap.params;
    const { rerangeAt: _at, ...resonance } = params.resonance;
    const { mn: _mn, mx: _mx, ...res } = snap.res;
    const old = restoreDetector(JSON.stringify({ ...rest, params: { ...params, resonance }, res }));
    for (let i = 1200; i < 1500; i++) {
      const s = old.step(ts[i], values[i]);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
  });
});
