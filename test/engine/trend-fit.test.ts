import { describe, expect, it } from "vitest";
import { emptyTrend, fitTrend, pushTrend, type TrendWindow } from "../../agent/engine/trend";

// The textbook Theil–Sen fit, medians by sorting: what the fast fit must reproduce exactly.
const median = (xs: number[]) => {
  const a = [...xs].sort((x, y) => x - y);
  const mid = a.length >> 1;
  return a.length % 2 ? a[mid] : (a[mid - 1] + a[mid]) / 2;
};
function reference(pts: [number, number][]) {
  const slopes: number[] = [];
  for (let i = 0; i < pts.length; i++)
    for (let j = i + 1; j < pts.length; j++) {
      const dt = pts[j][0] - pts[i][0];
      if (dt > 0) slopes.push((pts[j][1] - pts[i][1]) / dt);
    }
  const slope = median(slopes);
  const intercept = median(pts.map(([t, v]) => v - slope * t));
  const newest = pts[pts.length - 1][0];
  return {
    slopePerHour: slope * 3_600_000,
    current: intercept + slope * newest,
    level: median(pts.map(([, v]) => v)),
    spanMs: newest - pts[0][0],
    points: pts.length,
  };
}

// A deterministic generator, so a failure can be replayed.
function lcg(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296;
  };
}

describe("the Theil–Sen trend fit", () => {
  it("equals the textbook fit on odd and even windows, ties and outliers included", () => {
    const rand = lcg(7);
    for (let trial = 0; trial < 300; trial++) {
      const n = 6 + Math.floor(rand() * 60);
      const pts: [number, number][] = [];
      let t = 1_700_000_000_000;
      for (let i = 0; i < n; i++) {
        t += 1000 * (1 + Math.floor(rand() * 3));
        const v = rand() < 0.3 ? Math.round(rand() * 4) : rand() < 0.05 ? 1e6 * rand() : 50 + i * rand();
        pts.push([t, v]);
      }
      expect(fitTrend({ pts, n: 1 })).toEqual(reference(pts));
    }
  });

  it("refits a window read again after its points changed", () => {
    let w: TrendWindow = emptyTrend();
    for (let i = 0; i < 30; i++) w = pushTrend(w, i * 60_000, 10 + i, 3_600_000);
    const before = fitTrend(w);
    expect(fitTrend(w)).toEqual(before);
    w.pts.push([30 * 60_000, 1000]);
    expect(fitTrend(w)).toEqual(reference(w.pts));
    expect(fitTrend(w)?.current).not.toBe(before?.current);
  });

  describe("refitted as the window moves, one sample a report", () => {
    // A window refitted on every report fits from where its predecessor's median slope was;
    // each fit must equal, to the last bit, the fit of the same points with nothing remembered
    // (a copy of the window) and the textbook fit.
    const copied = (w: TrendWindow): TrendWindow => ({ pts: w.pts.map(([t, v]) => [t, v]), n: w.n });
    function follow(samples: [number, number][], windowMs = 3_600_000, textbook = true) {
      let w: TrendWindow = emptyTrend();
      let fitted = 0;
      for (const [ts, value] of samples) {
        w = pushTrend(w, ts, value, windowMs);
        const fit = fitTrend(w);
        expect(fit).toEqual(fitTrend(copied(w)));
        if (textbook && w.pts.length >= 6) expect(fit).toEqual(reference(w.pts));
        if (fit) fitted++;
      }
      return fitted;
    }
    const rand = lcg(11);
    const at = (i: number) => 1_700_000_000_000 + i * 20_000;

    it("equals the fit from scratch on a noisy climb, a flat line and a step", () => {
      const climb = Array.from(
        { length: 700 },
        (_, i) => [at(i), 40 + i / 50 + 3 * rand()] as [number, number],
      );
      const flat = Array.from({ length: 300 }, (_, i) => [at(i), 61.4] as [number, number]);
      const step = Array.from(
        { length: 500 },
        (_, i) => [at(i), i < 250 ? 20 : 80 + rand()] as [number, number],
      );
      expect(follow(climb)).toBeGreaterThan(600);
      expect(follow(flat)).toBeGreaterThan(250);
      expect(follow(step)).toBeGreaterThan(450);
    });

    it("equals the fit from scratch when the slope turns, with outliers and repeated values", () => {
      const samples = Array.from({ length: 1000 }, (_, i) => {
        const slope = i < 350 ? 0.5 : i < 700 ? -2 : 0.01;
        const v = rand() < 0.05 ? 1e6 * rand() : rand() < 0.3 ? Math.round(rand() * 4) : 100 + slope * i;
        return [at(i), v] as [number, number];
      });
      expect(follow(samples)).toBeGreaterThan(900);
    });

    it("equals the fit from scratch on late, early and repeated timestamps, and on a long window", () => {
      const samples = Array.from({ length: 700 }, (_, i) => {
        const jitter = rand() < 0.1 ? -Math.floor(rand() * 5) * 60_000 : rand() < 0.1 ? 0 : 7_000;
        return [at(i) + jitter, 5e8 + i * 1e4 * rand()] as [number, number];
      });
      expect(follow(samples, 7_200_000)).toBeGreaterThan(600);
    });

    it("equals the fit from scratch, signs of zero included, on -0 and tiny values", () => {
      const samples = Array.from({ length: 500 }, (_, i) => {
        const pick = rand();
        const v = pick < 0.3 ? -0 : pick < 0.6 ? 0 : pick < 0.8 ? 1e-300 * rand() : -1e-310;
        return [at(i), v] as [number, number];
      });
      // the textbook fit's sort may pick the other zero: the fit from scratch is the one to equal
      expect(follow(samples, 3_600_000, false)).toBeGreaterThan(450);
    });
  });
});
