/**
 * Streaming anomaly detector for one metric series, with bounded state. Three views are combined by
 * max: context novelty over a quantised value grid (in the spirit of contextOSE, NAB), adaptive
 * resonance over downsampled windows (after ARTime, NAB; see resonance.ts), and a level held longer
 * than ever before (see duration.ts). For a day after an alarm, scores are damped (`incident`).
 *
 * Each point is quantised on a grid learned during a warm-up (coarse and fine resolutions), and
 * re-learnt when the series has outgrown it (see `regrid`); the keys "current level after the last k levels" (k = 0..order) are looked up in a Bloom filter of
 * contexts seen before. The score is the share of keys never seen, graded slightly by how far the
 * value lies outside the learned range; after an output alarm the novelty rests for `restPeriod` points,
 * and after an alarm of the combined score the output rests for `outputRest` points.
 * O(levels x order) per point, no look-ahead, state < 4 KB of JSON, deterministic (no clock, no
 * randomness). Timestamps are accepted for the API's sake and not used: rows are taken in order.
 *
 * @example
 * const d = createDetector();
 * for (const [ts, v] of samples) if (d.step(ts, v) >= 0.7) alert();
 * const saved = JSON.stringify(d);            // store between reports
 * const again = restoreDetector(JSON.parse(saved));
 */
import { type DurationParams, type DurationState, durationStart, durationStep } from "./duration";
import { fromBase64, KeptText, toBase64 } from "./memory";
import { gridEdges, initialStreams, noveltyOf, type StreamState } from "./novelty";
import { type AnomalyParams, DEFAULT_PARAMS, type ResonanceParams } from "./params";
import { Resonance, type ResonanceSnapshot } from "./resonance";

export type { DurationParams } from "./duration";
export { type AnomalyParams, DEFAULT_PARAMS, type ResonanceParams } from "./params";

/** The JSON form of a detector (what `JSON.stringify(detector)` writes). */
export interface DetectorSnapshot {
  v: 2;
  params: AnomalyParams;
  /** points seen */
  n: number;
  /** range learned in warm-up (meaningful once n > 0); the duration view's grid */
  lo: number;
  hi: number;
  /**
   * The novelty view's grid once re-learnt (absent: [lo, hi]), and the open re-gridding period:
   * points beyond the grid, and the period's min and max (absent in older snapshots); `at`: the
   * point it was last re-learnt at (absent: never, or in older snapshots)
   */
  grid?: { lo: number; hi: number; out: number; mn: number; mx: number; at?: number };
  /** per stream: last `order` levels (newest first), then the open block's sum and count */
  recent: StreamState;
  /** points since the novelty's rest began, up to `restPeriod` (negative while a new grid is learnt) */
  quiet: number;
  /** points since the novelty's last output alarm, up to `restReach` (absent in older snapshots) */
  rested?: number;
  /** points since the last output alarm (absent in older snapshots) */
  calm?: number;
  /** Bloom filter of seen contexts, base64 */
  memory: string;
  /** the resonance view */
  res: ResonanceSnapshot;
  /** the duration view (absent when `params.duration` is) */
  dur?: DurationState;
  /** points since the last alarm of the final score, for incident damping (absent in older snapshots) */
  since?: number;
}

export class AnomalyDetector {
  private n = 0;
  private lo = 0;
  private hi = 0;
  private grid: NonNullable<DetectorSnapshot["grid"]> | undefined;
  private recent: StreamState;
  private quiet: number;
  private rested = Number.MAX_SAFE_INTEGER;
  private readonly edges: [number, number];
  private calm = Number.MAX_SAFE_INTEGER;
  private since = Number.MAX_SAFE_INTEGER;
  private memory: Uint8Array;
  /** The filter's base64, kept while the filter does not change (most steps add nothing to it). */
  private readonly memoryText = new KeptText(toBase64);
  private res: Resonance;
  private dur: DurationState | undefined;
  /**
   * The last step's score before the output rest. Plain anomaly rules read this one: the output
   * rest makes one alarm per incident for an alarm stream (NAB), which a rule's own hold,
   * hysteresis and one open issue per host+rule already do; zeroing 32 points after each alarm
   * would only blind the rule.
   */
  beforeRest = 0;
  /**
   * The last step's score before any rest or damping: what a banded rule reads to start a streak.
   * The novelty's rest and the incident damping keep an alarm stream to one alarm per incident,
   * which a banded rule's band already does (a value back within normal never holds a streak). For
   * such a rule they only blind: a harmless alarm (a dip in the host's own noise, under the band)
   * would mute the novelty for the next `restPeriod` to `restReach + restPeriod` points, so a real
   * onset inside them went unscored and the band learnt the anomaly as normal. Only the warm-ups,
   * while the novelty's grid means nothing yet, still score 0.
   */
  unrested = 0;

  constructor(readonly params: AnomalyParams = DEFAULT_PARAMS) {
    this.res = new Resonance(params.resonance);
    this.edges = gridEdges(params);
    this.recent = initialStreams(params);
    this.quiet = params.restPeriod;
    this.memory = new Uint8Array(1 << Math.max(0, params.memoryBits - 3));
    this.dur = params.duration && durationStart(params.duration, params.overflow);
  }

  /** Scores one point in [0, 1] and learns from it. Non-finite values score 0 and are skipped. */
  step(_ts: number, value: number): number {
    this.beforeRest = 0;
    this.unrested = 0;
    if (!Number.isFinite(value)) return 0;
    const p = this.params;
    this.n++;
    if (this.n === 1) this.lo = this.hi = value;
    else if (this.n <= p.warmup) {
      this.lo = Math.min(this.lo, value);
      this.hi = Math.max(this.hi, value);
    }
    const glo = this.grid?.lo ?? this.lo;
    const ghi = this.grid?.hi ?? this.hi;
    const score = noveltyOf(value, glo, ghi, this.recent, this.memory, p);
    const open = this.quiet >= p.restPeriod && this.n > p.warmup;
    // a new grid is learnt for `warmup` points (a snapshot from before `at` existed: while quiet < 0)
    const regridAt = this.grid?.at;
    const learnt =
      this.n > p.warmup && this.quiet >= 0 && (regridAt === undefined || this.n - regridAt > p.warmup);
    const out = open ? score : 0;
    const reach = p.restReach ?? 0;
    if (score >= p.alarm && (open || this.rested < reach)) this.quiet = 0;
    else this.quiet = Math.min(this.quiet + 1, p.restPeriod);
    if (open && score >= p.alarm) this.rested = 0;
    else this.rested = Math.min(this.rested + 1, reach);
    if (p.regrid && this.n > p.warmup) this.watchGrid(value, glo, ghi, p.regrid);
    const resonance = this.res.step(value);
    const long =
      this.dur && p.duration
        ? durationStep(this.dur, value, this.n, this.lo, this.hi, p.overflow, p.duration)
        : 0;
    const others = Math.max(Math.min(1, p.resonanceWeight * resonance), long);
    this.unrested = Math.max(learnt ? score : 0, others);
    let y = Math.max(out, others);
    if (p.incident) {
      const alarm = y >= (p.outputAlarm ?? 1);
      if (this.since <= p.incident.points) y *= p.incident.damp;
      this.since = alarm ? 0 : Math.min(this.since + 1, p.incident.points + 1);
    }
    this.beforeRest = y;
    const rest = p.outputRest ?? 0;
    if (rest <= 0) return y;
    this.calm = Math.min(this.calm + 1, rest + 1);
    if (this.calm <= rest) return 0;
    if (y >= (p.outputAlarm ?? 1)) this.calm = 0;
    return y;
  }

  /** Counts the period's points beyond the grid, and re-learns the grid at its end if they were many. */
  private watchGrid(value: number, lo: number, hi: number, r: { every: number; share: number }): void {
    const p = this.params;
    const g = this.grid ?? { lo, hi, out: 0, mn: value, mx: value };
    const first = (this.n - p.warmup - 1) % r.every === 0;
    g.mn = first ? value : Math.min(g.mn, value);
    g.mx = first ? value : Math.max(g.mx, value);
    const z = (value - lo) / (hi - lo || Math.abs(hi) || 1);
    g.out = (first ? 0 : g.out) + (z < this.edges[0] || z >= this.edges[1] ? 1 : 0);
    this.grid = g;
    if ((this.n - p.warmup) % r.every !== 0 || g.out < r.share * r.every) return;
    g.lo = g.mn;
    g.hi = g.mx;
    g.at = this.n;
    this.memory.fill(0);
    this.recent = initialStreams(p);
    // learn the new grid's contexts for as long as the first warm-up did before scoring again
    this.quiet = p.restPeriod - p.warmup;
  }

  toJSON(): DetectorSnapshot {
    const { n, lo, hi, grid, quiet, rested, calm, since } = this;
    return {
      v: 2,
      params: this.params,
      n,
      lo,
      hi,
      ...(grid && { grid }),
      recent: this.recent,
      quiet,
      rested,
      calm,
      memory: this.memoryText.of(this.memory),
      res: this.res.toJSON(),
      ...(this.dur && { dur: this.dur }),
      ...(this.params.incident && { since }),
    };
  }

  static fromJSON(s: DetectorSnapshot): AnomalyDetector {
    if (s?.v !== 2) throw new Error("unsupported anomaly detector snapshot");
    const d = new AnomalyDetector(s.params);
    d.n = s.n;
    d.lo = s.lo;
    d.hi = s.hi;
    d.grid = s.grid && { ...s.grid };
    d.recent = s.recent.map((r) => ({ levels: [...r.levels], sum: r.sum, count: r.count }));
    d.quiet = s.quiet;
    d.rested = s.rested ?? d.params.restReach ?? 0;
    d.calm = s.calm ?? Number.MAX_SAFE_INTEGER;
    d.since = s.since ?? Number.MAX_SAFE_INTEGER;
    const mem = fromBase64(s.memory);
    if (mem.length !== d.memory.length) throw new Error("anomaly detector snapshot: memory size mismatch");
    d.memory = mem;
    d.res = Resonance.fromJSON(s.params.resonance, s.res);
    if (s.params.duration && !s.dur) throw new Error("anomaly detector snapshot: duration state missing");
    d.dur = s.dur && structuredClone(s.dur);
    return d;
  }
}

/** Overrides of the defaults; `resonance` and `duration` may be partial too. */
export type ParamOverrides = Partial<Omit<AnomalyParams, "resonance" | "duration" | "incident">> & {
  /** null for no incident damping */
  incident?: AnomalyParams["incident"] | null;
  resonance?: Partial<ResonanceParams>;
  /** partial overrides, or null for no duration view */
  duration?: Partial<DurationParams> | null;
};

/** A fresh detector; `params` override the defaults. */
export function createDetector(params: ParamOverrides = {}): AnomalyDetector {
  return new AnomalyDetector({
    ...DEFAULT_PARAMS,
    ...params,
    resonance: { ...DEFAULT_PARAMS.resonance, ...params.resonance },
    incident: params.incident === null ? undefined : (params.incident ?? DEFAULT_PARAMS.incident),
    duration:
      params.duration === null
        ? undefined
        : DEFAULT_PARAMS.duration && { ...DEFAULT_PARAMS.duration, ...params.duration },
  });
}

/** A detector continuing exactly where the snapshot was taken. */
export function restoreDetector(snapshot: DetectorSnapshot | string): AnomalyDetector {
  return AnomalyDetector.fromJSON(typeof snapshot === "string" ? JSON.parse(snapshot) : snapshot);
}

/** Scores a whole series in order (convenience for batch use and benchmarks). */
export function scoreSeries(ts: ArrayLike<number>, values: ArrayLike<number>, params?: ParamOverrides) {
  const d = createDetector(params);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = d.step(ts[i], values[i]);
  return out;
}
