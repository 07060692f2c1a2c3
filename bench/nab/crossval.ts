/**
 * Held-out check: pick the best of a small parameter grid on one half of the categories, then
 * score that choice on the other half (and the reverse). `tsx bench/nab/crossval.ts <nab dir>`
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCorpus, scoreResults } from "./run";

const nab = process.argv[2];
if (!nab) {
  console.error("usage: tsx bench/nab/crossval.ts <NAB folder holding data/ and labels/>");
  process.exit(2);
}
const data = path.join(nab, "data");
const labels = path.join(nab, "labels/combined_windows.json");
const halves = [
  "artificialNoAnomaly,artificialWithAnomaly,realAWSCloudwatch",
  "artificialNoAnomaly,realAdExchange,realKnownCause",
];
// the newest knobs, each with "off" in the grid, so a half can also choose not to use them
const grid: object[] = [];
for (const off of [[], ["duration"], ["incident"], ["duration", "incident"]])
  for (const outputRest of [0, 16, 32, 48])
    for (const rangeWeight of [0.05, 0.15])
      for (const rerangeAt of [0, 1000])
        grid.push({
          outputRest,
          rangeWeight,
          resonance: { rerangeAt },
          ...Object.fromEntries(off.map((k) => [k, null])),
        });

const results = [];
for (const g of grid) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "nabcv-"));
  runCorpus(data, out, g);
  const s = [];
  for (const h of halves)
    s.push((await scoreResults(out, data, labels, undefined, h)).standard.normalized ?? 0);
  results.push({ g, s });
  console.log(JSON.stringify(g), s.map((x) => x.toFixed(2)).join(" / "));
  fs.rmSync(out, { recursive: true, force: true });
}
for (const [tune, test] of [
  [0, 1],
  [1, 0],
]) {
  const best = results.reduce((a, b) => (b.s[tune] > a.s[tune] ? b : a));
  const oracle = Math.max(...results.map((r) => r.s[test]));
  console.log(
    `tuned on [${halves[tune]}]: ${JSON.stringify(best.g)} -> held-out [${halves[test]}] ${best.s[test].toFixed(2)} (best possible in grid ${oracle.toFixed(2)})`,
  );
}
