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
});
