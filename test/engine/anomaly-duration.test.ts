import { describe, expect, it } from "vitest";
import { createDetector, restoreDetector, scoreSeries } from "../../agent/engine/anomaly";
import { series } from "./support/series-gen";

const DAY = 288; // 5-minute points per day
// just under the threshold NAB picks for the standard profile
const ALARM = 0.65;

const alarms = (scores: ArrayLike<number>) =>
  Array.from(scores, (s, i) => (s >= ALARM ? i : -1)).filter((i) => i >= 0);

// busy 09:00-18:00 every day (as NAB's art_daily_* files), except day `skip` when it never comes
const SKIP = 10;
const busy = (i: number) => {
  const hour = (i % DAY) / 12;
  return hour >= 9 && hour < 18 && Math.floor(i / DAY) !== SKIP ? 80 : 20;
};
const workday = series(14 * DAY, busy, 2, 7);
const dueAt = SKIP * DAY + 9 * 12;

describe("anomaly detector: the duration view", () => {
  it("flags a daily busy period that never comes, within the day it was due", () => {
    const hits = alarms(scoreSeries(workday.ts, workday.values)).filter(
      (i) => i >= dueAt && i < (SKIP + 1) * DAY,
    );
    expect(hits.length).toBeGreaterThanOrEqual(1);
  });

  it("is what flags it: without the duration view the missing busy period passes unseen", () => {
    const scores = scoreSeries(workday.ts, workday.values, { duration: null });
    expect(alarms(scores).filter((i) => i >= dueAt && i < (SKIP + 1) * DAY)).toEqual([]);
  });

  it("stays quiet on the regular daily pattern it learned", () => {
    const regular = series(14 * DAY, (i) => ((i % DAY) / 12 >= 9 && (i % DAY) / 12 < 18 ? 80 : 20), 2, 7);
    expect(alarms(scoreSeries(regular.ts, regular.values)).filter((i) => i >= 3 * DAY)).toEqual([]);
  });

  it("flags a step to a new level and a single spike near where they happen", () => {
    const step = series(3000, (i) => (i < 2000 ? 50 : 90), 2, 7);
    const stepHits = alarms(scoreSeries(step.ts, step.values)).filter((i) => i >= 600);
    expect(stepHits.length).toBeGreaterThanOrEqual(1);
    expect(stepHits[0]).toBeGreaterThanOrEqual(2000);
    expect(stepHits[0]).toBeLessThan(2000 + 6);
    const spike = series(3000, (i) => (i === 2000 ? 150 : 50), 2, 7);
    const spikeHits = alarms(scoreSeries(spike.ts, spike.values)).filter((i) => i >= 600);
    expect(spikeHits.length).toBeGreaterThanOrEqual(1);
    expect(spikeHits[0]).toBeGreaterThanOrEqual(2000);
    expect(spikeHits[0]).toBeLessThan(2000 + 6);
  });

  it("stays within 4 KB of JSON with its state, and continues identically after a restore", () => {
    const d = createDetector();
    const twin = createDetector();
    let largest = 0;
    for (let i = 0; i < workday.values.length; i++) {
      d.step(workday.ts[i], workday.values[i]);
      twin.step(workday.ts[i], workday.values[i]);
      if (i % 97 === 0) largest = Math.max(largest, JSON.stringify(d).length);
      if (i === dueAt - 50) {
        const again = restoreDetector(JSON.stringify(d));
        for (let j = i + 1; j < workday.values.length; j++) {
          expect(again.step(workday.ts[j], workday.values[j])).toBe(
            twin.step(workday.ts[j], workday.values[j]),
          );
        }
        break;
      }
    }
    expect(JSON.parse(JSON.stringify(d)).dur).toBeDefined();
    expect(largest).toBeLessThanOrEqual(4096);
  });

  it("restores a snapshot written before the duration view and incident damping existed, and scores as that detector did", () => {
    const old = createDetector({ duration: null, incident: null });
    const half = 12 * DAY;
    for (let i = 0; i < half; i++) old.step(workday.ts[i], workday.values[i]);
    const snap = JSON.parse(JSON.stringify(old));
    expect(snap.params.duration).toBeUndefined();
    expect(snap.dur).toBeUndefined();
    expect(snap.since).toBeUndefined();
    const again = restoreDetector(snap);
    for (let i = half; i < workday.values.length; i++) {
      expect(again.step(workday.ts[i], workday.values[i])).toBe(old.step(workday.ts[i], workday.values[i]));
    }
  });
});

describe("anomaly detector: incident damping", () => {
  const DAMP = { points: 288, damp: 0.85 };
  const bumpy = series(8 * DAY, (i) => (i % 700 === 650 ? 140 : i > 5 * DAY ? 70 : 50), 3, 11);

  it("scales every score by the damping for a day after an alarm, and leaves the rest alone", () => {
    const plain = scoreSeries(bumpy.ts, bumpy.values, { outputRest: 0, incident: null });
    const damped = scoreSeries(bumpy.ts, bumpy.values, { outputRest: 0, incident: DAMP });
    let since = Number.MAX_SAFE_INTEGER;
    let inIncident = 0;
    for (let i = 0; i < plain.length; i++) {
      const expected = since <= DAMP.points ? plain[i] * DAMP.damp : plain[i];
      expect(damped[i]).toBeCloseTo(expected, 12);
      if (since <= DAMP.points && plain[i] > 0) inIncident++;
      since = plain[i] >= 0.7 ? 0 : Math.min(since + 1, DAMP.points + 1);
    }
    // the series has alarms followed by more scores within a day, so the damping was exercised
    expect(inIncident).toBeGreaterThan(0);
  });

  it("continues identically when restored in the middle of an incident", () => {
    const d = createDetector();
    const twin = createDetector();
    let cut = -1;
    for (let i = 0; i < bumpy.values.length; i++) {
      const y = d.step(bumpy.ts[i], bumpy.values[i]);
      twin.step(bumpy.ts[i], bumpy.values[i]);
      if (y >= 0.7 && i > DAY) {
        cut = i + 10;
        for (let j = i + 1; j <= cut; j++) {
          d.step(bumpy.ts[j], bumpy.values[j]);
          twin.step(bumpy.ts[j], bumpy.values[j]);
        }
        break;
      }
    }
    expect(cut).toBeGreaterThan(0);
    const again = restoreDetector(JSON.stringify(d));
    for (let j = cut + 1; j < bumpy.values.length; j++) {
      expect(again.step(bumpy.ts[j], bumpy.values[j])).toBe(twin.step(bumpy.ts[j], bumpy.values[j]));
    }
  });
});
