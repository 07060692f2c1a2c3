/**
 * The resonance view's adaptive vigilance and alarm logic (after ARTime): an upper bound that
 * tracks the mean match, a lower bound that follows the weakest recent match, masking after a
 * new cluster or an alarm, and a confidence graded by how far the match fell below both bounds.
 * Windows and histories are replaced by running sums so the state stays a handful of numbers.
 */
import { Categories } from "./categories";
import type { ResonanceParams } from "./params";

export interface RhoState {
  lb: number;
  ub: number;
  /** index of the last alarm and its match */
  lastI: number;
  lastA: number;
  /** index of the last vigilance update */
  lastUpd: number;
  /** masking after a new cluster, and windows since the last new cluster */
  maskCat: boolean;
  calm: number;
  /** running mean of matches */
  aSum: number;
  aN: number;
  /** weakest match since the last update */
  aMin: number;
  /** clipped (ub - match) over this and the previous update period: sums and counts */
  dCur: [number, number];
  dPrev: [number, number];
  /** matches at alarms: sum, count, last */
  hSum: number;
  hN: number;
  hLast: number;
}

export function rhoStart(): RhoState {
  return {
    ...{ lb: 0, ub: 0, lastI: 0, lastA: 0, lastUpd: 0, maskCat: false, calm: 0 },
    ...{ aSum: 0, aN: 0, aMin: 1, dCur: [0, 0], dPrev: [0, 0], hSum: 0, hN: 0, hLast: 0 },
  };
}

/** Starting vigilance: mean match when the warm-up windows are learnt most-typical-last at 0.8. */
export function initialRho(windows: number[][], trend: number, p: ResonanceParams): number {
  const norms = windows.map((w) => Math.hypot(...w));
  const cos = (a: number, b: number) => {
    const na = norms[a];
    const nb = norms[b];
    if (na === 0 || nb === 0) return 1 - (na + nb) / p.levels;
    let d = 0;
    for (let k = 0; k < windows[a].length; k++) d += windows[a][k] * windows[b][k];
    return d / (na * nb);
  };
  const typical = windows.map((_, a) => windows.reduce((t, _w, b) => t + (a === b ? 1 : cos(a, b)), 0));
  const order = windows.map((_, a) => a).sort((a, b) => typical[a] - typical[b] || a - b);
  const scratch = new Categories(p.window, p.levels, Number.MAX_SAFE_INTEGER);
  const rho = p.initialRho;
  // the first window only seeds (ARTime skips it), as the main memory does
  const a = order.map((k, n) => (n === 0 ? 0 : scratch.train(windows[k], rho, rho).a));
  const tail = a.slice(Math.floor(trend / 2) - 1);
  return tail.length ? tail.reduce((x, y) => x + y, 0) / tail.length : rho;
}

/**
 * Matches the window ending at downsampled index `i`, learns it, adapts the vigilance, and
 * returns the alarm confidence (0 when the window is known or masked).
 */
export function resonate(
  r: RhoState,
  cats: Categories,
  win: number[],
  i: number,
  trend: number,
  p: ResonanceParams,
): number {
  const mask = p.window * 1.5;
  const updAfter = i - r.lastI === mask;
  const updTrend = i - r.lastUpd >= Math.floor(trend / 2);
  const maskAfter = i - r.lastI <= mask;
  if (i > trend + mask && r.maskCat && r.calm >= mask) r.maskCat = false;
  const { a, ae, known } = cats.train(win, r.lb, r.ub, i >= p.window);
  r.calm = known ? r.calm + 1 : 0;
  r.aSum += a;
  r.aN++;
  r.aMin = Math.min(r.aMin, a);
  const gap = r.ub - a;
  if (gap > 0.05) r.dCur = [r.dCur[0] + Math.min(0.37, gap), r.dCur[1] + 1];
  if (i - r.lastI < mask && r.hN > 0 && a < r.hLast) {
    r.hSum += a - r.hLast;
    r.hLast = a;
  }
  const belowLast = a < r.lastA * (maskAfter ? 0.9 : 0.7);
  let score = 0;
  if (i > trend && !known && (!(r.maskCat || maskAfter) || belowLast)) {
    const f = Math.min(0.999, a);
    const ub = (r.ub - f) / (1 - f);
    const lb = (r.lb - f) / (1 - f);
    score = Math.max(0, Math.min(1, ub * 0.35 + lb * 0.65 + (1 - ae) * 1.5));
    r.hSum += a;
    r.hN++;
    r.hLast = r.lastA = a;
    r.lastI = i;
  }
  r.maskCat = r.maskCat || !known;
  if (i > trend && (updAfter || updTrend)) {
    const ub = Math.min(0.97, r.aSum / r.aN);
    let lb: number;
    if (r.lb <= r.aMin) lb = r.lb + (r.aMin - r.lb) * 0.19;
    else {
      const n = r.dCur[1] + r.dPrev[1];
      const decr = Math.max(0.01, i > trend * 2 && n ? (r.dCur[0] + r.dPrev[0]) / n : 0);
      lb = r.lb - decr / 2;
      if (r.hN > 0) lb = Math.max(r.hSum / r.hN, lb);
    }
    r.lb = Math.min(ub, lb);
    r.ub = ub;
    r.lastUpd = i;
    r.maskCat = true;
    r.aMin = a;
    r.dPrev = r.dCur;
    r.dCur = [0, 0];
  }
  return score;
}
