import { describe, expect, it } from "vitest";
import { createDetector, DEFAULT_PARAMS, restoreDetector, scoreSeries } from "../../agent/engine/anomaly";
import { series } from "./support/series-gen";

const SECOND = 1000;
const ALARM = 0.7; // the built-in diagnostics' bar (minScore)

/** The scores a rule reads (before the output rest), one per point. */
function ruleScores(values: number[], params: Parameters<typeof createDetector>[0] = {}) {
  const d = createDetector(params);
  return values.map((v, i) => {
    d.step(i * SECOND, v);
    return d.beforeRest;
  });
}

const alarmsAt = (scores: ArrayLike<number>, bar: number) =>
  Array.from(scores, (s, i) => (s >= bar ? i : -1)).filter((i) => i >= 0);

// a host learned at ~10, whose normal then drifts to ~30 (past the top of the warm-up's grid), and
// a burn from row 2000 on
const BURN_AT = 2000;
const drifted = (i: number) =>
  (i < 200 ? 10 : i < 500 ? 10 + ((i - 200) / 300) * 20 : 30) + (i >= BURN_AT && i < BURN_AT + 60 ? 15 : 0);

describe("anomaly detector on a drifting series", () => {
  it("re-learns its grid once the normal outgrows it, so a burn above the drifted normal scores at its first point", () => {
    const { values } = series(BURN_AT + 100, drifted, 1, 1, SECOND);
    expect(ruleScores(values)[BURN_AT]).toBeGreaterThanOrEqual(ALARM);
    // with the grid frozen after warm-up the drifted normal and the burn clamp to one level
    expect(ruleScores(values, { regrid: undefined })[BURN_AT]).toBeLessThan(0.2);
  });

  it("rests while it learns the new grid instead of alarming on the drifted normal", () => {
    const { values } = series(BURN_AT, drifted, 1, 1, SECOND);
    // the novelty view alone: the climb itself may alarm; once on the new level, nothing does
    const novelty = ruleScores(values, { resonanceWeight: 0 });
    expect(alarmsAt(novelty, ALARM).filter((i) => i >= 600)).toEqual([]);
    // nor does the score a banded rule reads, which has no rests: learning the grid scores nothing
    const d = createDetector({ resonanceWeight: 0 });
    const unrested = values.map((v, i) => {
      d.step(i * SECOND, v);
      return d.unrested;
    });
    expect(alarmsAt(unrested, ALARM).filter((i) => i >= 600)).toEqual([]);
  });

  it("leaves the novelty's rest on a steady climb: alarms inside a rest do not restart it", () => {
    // the novelty view alone, on its warm-up grid
    const novelty = { resonanceWeight: 0, duration: null, incident: null, outputRest: 0, regrid: undefined };
    const { ts, values } = series(1400, (i) => 10 + Math.max(0, i - 200) * 0.02, 1, 3, SECOND);
    const alarms = alarmsAt(scoreSeries(ts, values, novelty), DEFAULT_PARAMS.alarm);
    expect(alarms.length).toBeGreaterThanOrEqual(3);
    for (let k = 1; k < alarms.length; k++)
      expect(alarms[k] - alarms[k - 1]).toBeGreaterThan(DEFAULT_PARAMS.restPeriod);
    // every alarm in the rest restarting it: after the first alarm the climb is never scored again
    const restarting = alarmsAt(
      scoreSeries(ts, values, { ...novelty, restReach: 1e9 }),
      DEFAULT_PARAMS.alarm,
    );
    expect(restarting).toHaveLength(1);
  });

  it("continues identically when restored across a re-gridding, within 4 KB of JSON", () => {
    const { ts, values } = series(BURN_AT + 100, drifted, 1, 5, SECOND);
    const whole = scoreSeries(ts, values);
    let d = createDetector();
    const again: number[] = [];
    let largest = 0;
    for (let i = 0; i < values.length; i++) {
      // restore before every point around the first re-gridding (row 700) and now and then after it
      if ((i > 690 && i < 710) || i % 97 === 0) d = restoreDetector(JSON.stringify(d));
      again.push(d.step(ts[i], values[i]));
      largest = Math.max(largest, JSON.stringify(d).length);
    }
    expect(again).toEqual(Array.from(whole));
    expect(largest).toBeLessThanOrEqual(4096);
  });

  it("restores a snapshot written before re-gridding and the rest's reach existed, and goes on as that detector would", () => {
    const { ts, values } = series(1600, drifted, 1, 6, SECOND);
    // what an older version wrote: no `rested`, no `grid`, params without `restReach` and `regrid`
    const older = { restReach: undefined, regrid: undefined };
    const d = createDetector(older);
    for (let i = 0; i < 1200; i++) d.step(ts[i], values[i]);
    const { rested: _rested, grid: _grid, ...snap } = JSON.parse(JSON.stringify(d));
    expect(Object.keys(snap.params)).not.toContain("regrid");
    const old = restoreDetector(JSON.stringify(snap));
    for (let i = 1200; i < 1600; i++) expect(old.step(ts[i], values[i])).toBe(d.step(ts[i], values[i]));
  });
});
