/** The NAB bench as functions: run the detector over a data dir, write results, measure its cost. */
import path from "node:path";
import { createDetector, type ParamOverrides } from "../../agent/engine/anomaly";
import { listSeries, readSeries, type Series, writeResult } from "./data";

export const DETECTOR_NAME = "selfheal";

export interface RunResult {
  series: Series[];
  scores: Map<string, Float64Array>;
  /** largest JSON state size of each series' detector (every 64th point and the last), bytes */
  stateBytes: number[];
}

/** Scores every `<data>/<category>/*.csv` with ONE parameter set and writes NAB-layout results. */
export function runCorpus(dataDir: string, outDir: string, params: ParamOverrides = {}): RunResult {
  const series = listSeries(dataDir).map((key) => readSeries(dataDir, key));
  const scores = new Map<string, Float64Array>();
  const stateBytes: number[] = [];
  for (const s of series) {
    const d = createDetector(params);
    const out = new Float64Array(s.values.length);
    let bytes = 0;
    for (let i = 0; i < s.values.length; i++) {
      out[i] = d.step(s.ts[i], s.values[i]);
      if (i % 64 === 0) bytes = Math.max(bytes, JSON.stringify(d).length);
    }
    scores.set(s.key, out);
    stateBytes.push(Math.max(bytes, JSON.stringify(d).length));
    writeResult(outDir, DETECTOR_NAME, s, out);
  }
  return { series, scores, stateBytes };
}

/** Median over `passes` runs of the detector's time per point, in ns (no I/O). */
export function nsPerPoint(series: Series[], params: ParamOverrides = {}, passes = 5): number {
  const points = series.reduce((n, s) => n + s.values.length, 0);
  const times: number[] = [];
  let sink = 0;
  for (let p = 0; p < passes; p++) {
    const t0 = process.hrtime.bigint();
    for (const s of series) {
      const d = createDetector(params);
      for (let i = 0; i < s.values.length; i++) sink += d.step(s.ts[i], s.values[i]);
    }
    times.push(Number(process.hrtime.bigint() - t0) / points);
  }
  if (Number.isNaN(sink)) throw new Error("unreachable");
  return median(times);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length
    ? s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
    : Number.NaN;
}

type Scorer = {
  loadResults(o: object): { files: unknown[] };
  scoreCorpus(files: unknown[]): {
    profiles: Record<string, { normalized: number | null; raw: number; threshold: number }>;
  };
};

/** Scores a results dir with NAB's rules (the scorer beside the labels, or `scorerPath`). */
export async function scoreResults(
  resultsDir: string,
  dataDir: string,
  labelsPath: string,
  scorerPath?: string,
  subset?: string,
) {
  const file = path.resolve(scorerPath ?? path.join(path.dirname(labelsPath), "..", "score.mjs"));
  const scorer = (await import(file)) as Scorer;
  const { files } = scorer.loadResults({ labelsPath, resultsDir, dataDir, subset, detector: DETECTOR_NAME });
  return scorer.scoreCorpus(files).profiles;
}
