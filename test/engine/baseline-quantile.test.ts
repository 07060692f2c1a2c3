import { describe, expect, it } from "vitest";
import { type Baseline, baselineQuantile, emptyBaseline, learnBaseline } from "../../agent/engine/baseline";
import { rng } from "./support/series-gen";

// The quantile as first written: the bins as entries, sorted by their index, summed in that order.
function reference(b: Baseline, q: number, percent: boolean): number | null {
  if (b.seen < 60 || b.total <= 0) return null;
  const edge = (bin: number) => (percent ? (bin + 1) * 0.5 : Math.expm1((bin + 1) * Math.log(1.05)));
  const ordered = Object.entries(b.bins)
    .map(([k, w]) => [Number(k), w] as const)
    .sort((a, c) => a[0] - c[0]);
  let acc = 0;
  for (const [bin, w] of ordered) {
    acc += w;
    if (acc >= q * b.total) return edge(bin);
  }
  return edge(ordered[ordered.length - 1][0]);
}

const QUANTILES = [0, 0.01, 0.25, 0.5, 0.9, 0.99, 1];

describe("a baseline's quantiles", () => {
  it("equal the quantiles of the sorted bins while a host's normal is learned, percent and log bins", () => {
    const rand = rng(5);
    for (const percent of [true, false]) {
      let b = emptyBaseline();
      for (let i = 0; i < 3000; i++) {
        const spike = rand() < 0.02 ? 40 : 0;
        const value = percent ? 20 + 15 * rand() + spike : 1e4 * (1 + rand()) * (1 + spike);
        b = learnBaseline(b, i * 30_000 + (i > 1500 ? 86_400_000 : 0), value, percent);
        if (i % 7) continue;
        for (const q of QUANTILES) expect(baselineQuantile(b, q, percent)).toBe(reference(b, q, percent));
      }
      expect(baselineQuantile(b, 0.99, percent)).not.toBeNull();
    }
  });

  it("equal the quantiles of the sorted bins when a stored state's keys are out of order, or one falls on an edge", () => {
    const bins = { "12": 3, "4": 2, "7.5": 1, "-1": 0.5, "03": 4, "40": 1 };
    // JSON keeps this order; an object lists the integer keys first, ascending, then the others
    const b: Baseline = JSON.parse(JSON.stringify({ bins, total: 11.5, seen: 100, last: 1 }));
    // and a quantile that falls exactly on a bin's edge belongs to that bin
    const even: Baseline = { bins: { "1": 1, "2": 1, "3": 2 }, total: 4, seen: 60, last: 1 };
    for (const percent of [true, false])
      for (const q of QUANTILES) {
        expect(baselineQuantile(b, q, percent)).toBe(reference(b, q, percent));
        expect(baselineQuantile(even, q, percent)).toBe(reference(even, q, percent));
      }
  });
});
