/**
 * Second view of the detector: adaptive resonance over short windows of a downsampled, levelled
 * signal, after ARTime (NAB's best published detector), reworked for bounded state and no
 * look-ahead. The range is learnt in a short warm-up (widened by a margin, values beyond are
 * clamped) instead of being handed the file's min/max, and re-learnt from all values seen so far
 * at `rerangeAt` points and each doubling of it (the categories are re-levelled onto the new
 * range); categories are capped (least recently used go).
 * A point scores > 0 only when its window resonates with no category (a new cluster), graded by
 * how far below the adaptive vigilance it fell.
 */
import { Categories } from "./categories";
import type { ResonanceParams } from "./params";
import { initialRho, type RhoState, resonate, rhoStart } from "./vigilance";

export interface ResonanceSnapshot {
  i: number;
  lo: number;
  hi: number;
  /** every value's min and max so far, for re-ranging (absent in older snapshots) */
  mn?: number;
  mx?: number;
  /** open downsampling block: sum, min, max */
  blk: [number, number, number];
  ma: number;
  /** warm-up samples (cleared when the warm-up ends) */
  warm: number[];
  med: number[];
  win: number[];
  rho: RhoState;
  cats: string;
}

export class Resonance {
  s: ResonanceSnapshot;
  cats: Categories;

  constructor(readonly p: ResonanceParams) {
    this.cats = new Categories(p.window, p.levels, p.capacity);
    this.s = {
      i: 0,
      lo: 0,
      hi: 0,
      blk: [0, 0, 0],
      ma: 0,
      warm: [],
      med: new Array(p.levels + 1).fill(0),
      win: new Array(p.window).fill(0),
      rho: rhoStart(),
      cats: "",
    };
  }

  /** Scores one finite value (0 except at an end of a downsampling block). */
  step(value: number): number {
    const { p, s } = this;
    s.i++;
    if (s.i === 1) s.lo = s.hi = value;
    else if (s.i <= p.warmup) {
      s.lo = Math.min(s.lo, value);
      s.hi = Math.max(s.hi, value);
    }
    s.mn = s.i === 1 ? value : Math.min(s.mn ?? value, value);
    s.mx = s.i === 1 ? value : Math.max(s.mx ?? value, value);
    if (s.i > p.warmup && isDoubling(s.i, p.rerangeAt ?? 0)) this.rerange(s.mn, s.mx);
    const b = s.blk;
    s.blk =
      (s.i - 1) % p.step === 0
        ? [value, value, value]
        : [b[0] + value, Math.min(b[1], value), Math.max(b[2], value)];
    if (s.i % p.step !== 0) return 0;
    const [sum, min, max] = s.blk;
    const mean = sum / p.step;
    const dsi = s.i / p.step;
    s.ma = dsi === 1 ? mean : (s.ma + mean) / 2;
    // keep a spike (the block's extreme away from the moving average) unless it is small
    let ds = Math.abs(max - s.ma) < Math.abs(min - s.ma) ? min : max;
    if (Math.abs(ds - mean) < p.spike * mean) ds = mean;
    const trend = Math.floor(p.warmup / p.step);
    if (dsi < trend) {
      s.warm.push(Number(ds.toPrecision(8)));
      return 0;
    }
    if (dsi === trend) {
      s.warm.push(Number(ds.toPrecision(8)));
      this.endWarmup(trend);
      return 0;
    }
    return resonate(s.rho, this.cats, this.window(ds), dsi, trend, p);
  }

  /** Freezes the range, levels the warm-up samples, sets the vigilance and learns them. */
  private endWarmup(trend: number): void {
    const { p, s } = this;
    const width = s.hi - s.lo;
    s.lo -= p.margin * width;
    s.hi += p.margin * width;
    const windows = s.warm.map((ds) => this.window(ds).slice());
    s.warm = [];
    const rho = initialRho(windows.slice(p.window - 1), trend, p);
    s.rho.lb = s.rho.ub = rho;
    for (let k = 0; k < windows.length; k++) resonate(s.rho, this.cats, windows[k], k + 1, trend, p);
  }

  /**
   * Widens the range to cover [mn, mx] plus the margin and maps every stored level (categories,
   * the current window, the median histogram) onto it, so learnt shapes stay comparable.
   */
  private rerange(mn: number, mx: number): void {
    const { p, s } = this;
    const lo = Math.min(s.lo, mn - p.margin * (mx - mn));
    const hi = Math.max(s.hi, mx + p.margin * (mx - mn));
    if (lo === s.lo && hi === s.hi) return;
    const L = p.levels;
    const relevel = (l: number) => {
      const x = (s.lo + (l / L) * (s.hi - s.lo) - lo) / (hi - lo);
      return Math.max(0, Math.min(L, Math.round(x * L)));
    };
    for (const box of this.cats.boxes) for (let k = 0; k < box.length; k++) box[k] = relevel(box[k]);
    s.win = s.win.map(relevel);
    const med = new Array(L + 1).fill(0);
    for (let l = 0; l <= L; l++) med[relevel(l)] += s.med[l];
    s.med = med;
    s.lo = lo;
    s.hi = hi;
  }

  /** Levels `ds`, snaps it to the running median level when close, and shifts it into the window. */
  private window(ds: number): number[] {
    const { p, s } = this;
    const range = s.hi - s.lo;
    const x = range ? (ds - s.lo) / range : ds - s.lo;
    let level = Math.round(Math.max(0, Math.min(1, x)) * p.levels);
    s.med[level]++;
    const med = medianLevel(s.med);
    if (Math.abs(level - med) < p.chomp * p.levels) level = med;
    s.win.shift();
    s.win.push(level);
    return s.win;
  }

  toJSON(): ResonanceSnapshot {
    return { ...this.s, cats: this.cats.encode() };
  }

  static fromJSON(p: ResonanceParams, snap: ResonanceSnapshot): Resonance {
    const r = new Resonance(p);
    r.s = structuredClone({ ...snap, cats: "" });
    r.cats.decode(snap.cats);
    return r;
  }
}

/** Median of a level histogram; halves all counts when they grow large so the median can move. */
function medianLevel(hist: number[]): number {
  let total = 0;
  for (const c of hist) total += c;
  if (total > 4096) {
    total = 0;
    for (let k = 0; k < hist.length; k++) total += hist[k] = Math.floor(hist[k] / 2);
  }
  let acc = 0;
  for (let k = 0; k < hist.length; k++) {
    acc += hist[k];
    if (acc * 2 >= total) return k;
  }
  return 0;
}

/** True when `i` is `first` times a power of two (`first` > 0). */
function isDoubling(i: number, first: number): boolean {
  if (first <= 0 || i < first || i % first !== 0) return false;
  return Number.isInteger(Math.log2(i / first));
}
