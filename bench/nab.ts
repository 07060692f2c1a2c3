/**
 * NAB bench: `npm run bench:nab -- --data <dir> --out <dir> [--labels <combined_windows.json>]
 *   [--scorer <score.mjs>] [--params '<json>'] [--passes N]`
 * Runs the anomaly detector over every <data>/<category>/*.csv in row order with one parameter set,
 * writes <out>/<category>/selfheal_<file>.csv, prints the cost, and with --labels the NAB scores.
 */
import path from "node:path";
import { DEFAULT_PARAMS } from "../agent/engine/anomaly";
import { median, nsPerPoint, runCorpus, scoreResults } from "./nab/run";

const argv = process.argv.slice(2);
const opt = (k: string) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1] : undefined;
};
const data = opt("--data");
const out = opt("--out");
if (!data || !out) {
  console.error(
    "usage: npm run bench:nab -- --data <dir> --out <dir> [--labels <file>] [--scorer <score.mjs>] [--params <json>]",
  );
  process.exit(2);
}
const params = { ...DEFAULT_PARAMS, ...JSON.parse(opt("--params") ?? "{}") };
const { series, stateBytes } = runCorpus(data, out, params);
const points = series.reduce((n, s) => n + s.values.length, 0);
console.log(`params ${JSON.stringify(params)}`);
console.log(`wrote ${series.length} files (${points} rows) to ${out}`);
const ns = nsPerPoint(series, params, Number(opt("--passes") ?? 5));
console.log(
  `cost: ${ns.toFixed(0)} ns/point (median of passes); largest state JSON bytes seen per series ` +
    `(every 64th point): max ${Math.max(...stateBytes)}, median ${median(stateBytes)}`,
);

const labels = opt("--labels");
if (labels) {
  const scorer = opt("--scorer");
  const fmt = (x: number | null) => (x === null ? "n/a" : x.toFixed(2));
  const all = await scoreResults(out, data, labels, scorer);
  for (const [name, p] of Object.entries(all)) {
    console.log(
      `${name.padEnd(20)} ${fmt(p.normalized).padStart(7)}  (raw ${p.raw.toFixed(3)}, threshold ${p.threshold})`,
    );
  }
  const cats = [...new Set(series.map((s) => s.key.split("/")[0]))];
  const perCat: string[] = [];
  for (const c of cats)
    perCat.push(`${c} ${fmt((await scoreResults(out, data, labels, scorer, c)).standard.normalized)}`);
  console.log(`standard per category (own threshold): ${perCat.join(", ")}`);
  console.log(
    JSON.stringify({
      data: path.resolve(data),
      ...Object.fromEntries(Object.entries(all).map(([k, p]) => [k, p.normalized])),
    }),
  );
}
