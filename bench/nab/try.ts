import { DEFAULT_PARAMS, Proto2 as Proto } from "../../agent/engine/anomaly/proto2";
import { corpus, score } from "./tune";

const over = JSON.parse(process.argv[2] ?? "{}");
const p = { ...DEFAULT_PARAMS, ...over };
const t0 = performance.now();
const m = new Map<string, Float64Array>();
for (const s of corpus) {
  const d = new Proto(p);
  if (p.cheat) {
    d.lo = Math.min(...s.values);
    d.hi = Math.max(...s.values);
  }
  const out = new Float64Array(s.values.length);
  for (let i = 0; i < s.values.length; i++) out[i] = d.step1(s.ts[i], s.values[i]);
  m.set(s.key, out);
}
const t1 = performance.now();
const all = score(m);
const cats = ["artificialWithAnomaly", "realAWSCloudwatch", "realAdExchange", "realKnownCause"];
const f = (x: number) => x.toFixed(1);
console.log(
  JSON.stringify(over),
  `std=${f(all.standard)} lowFP=${f(all.reward_low_FP_rate)} lowFN=${f(all.reward_low_FN_rate)} thr=${all.thr.toFixed(3)}`,
  cats
    .map(
      (c) =>
        `${c.slice(0, 8)}=${f(score(m, (k) => k.startsWith(c) || k.startsWith("artificialNo")).standard)}`,
    )
    .join(" "),
  `${(((t1 - t0) * 1e6) / 191263).toFixed(0)}ns`,
  JSON.stringify(all.counts),
);
if (process.env.PERFILE)
  for (const r of all.perFile) console.log(r.file.padEnd(60), r.score.toFixed(3), r.tp, r.fp, r.fn);
if (process.env.WIN) {
  const fs = await import("node:fs");
  const labels = JSON.parse(fs.readFileSync("/work/shared/nab/labels/combined_windows.json", "utf8"));
  const thr = all.thr;
  for (const s of corpus) {
    const sc = m.get(s.key)!;
    const prob = Math.min(Math.floor(0.15 * s.values.length), 750);
    const wins = (labels[s.key] ?? []).map(([a, b]: string[]) => [
      s.tsRaw.indexOf(a.slice(0, 19)),
      s.tsRaw.indexOf(b.slice(0, 19)),
    ]);
    const det: number[] = [];
    for (let i = prob; i < sc.length; i++) if (sc[i] >= thr) det.push(i);
    const inWin = (i: number) => wins.some(([a, b]: number[]) => i >= a && i <= b);
    const ws = wins.map(([a, b]: number[]) => {
      const d = det.find((i) => i >= a && i <= b);
      return d === undefined ? "MISS" : ((d - a) / (b - a + 1)).toFixed(2);
    });
    console.log(
      s.key.padEnd(58),
      `n=${s.values.length} wins=[${ws.join(",")}] fp=${det.filter((i) => !inWin(i)).length}`,
    );
  }
}
