/** Dev tool: run a detector variant over the corpus and score it in-process, per category too. */
import path from "node:path";
import { listSeries, readSeries, type Series } from "./data";

const nabDir = process.env.NAB ?? "/work/shared/nab";
const scorer = await import(path.join(nabDir, "score.mjs"));
const labels = JSON.parse(
  (await import("node:fs")).readFileSync(path.join(nabDir, "labels/combined_windows.json"), "utf8"),
);
const dataDir = path.join(nabDir, "data");
export const corpus: Series[] = listSeries(dataDir).map((k) => readSeries(dataDir, k));

export function score(scores: Map<string, ArrayLike<number>>, subset?: (k: string) => boolean) {
  const files = corpus
    .filter((s) => !subset || subset(s.key))
    .map((s) => ({
      key: s.key,
      timestamps: s.tsRaw.map((t) => scorer.parseTimestamp(t)),
      scores: scores.get(s.key),
      windows: (labels[s.key] ?? []).map(([a, b]: string[]) => [
        scorer.parseTimestamp(a),
        scorer.parseTimestamp(b),
      ]),
    }));
  const r = scorer.scoreCorpus(files);
  const o: Record<string, number> = {};
  for (const [n, p] of Object.entries<any>(r.profiles)) o[n] = p.normalized;
  return {
    ...o,
    thr: r.profiles.standard.threshold,
    perFile: r.profiles.standard.det.perFile,
    counts: r.profiles.standard.det.counts,
  };
}
