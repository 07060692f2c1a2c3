import { corpus, score } from "./tune";
import { Proto2 as Proto, DEFAULT_PARAMS } from "../../agent/engine/anomaly/proto2";
const over = JSON.parse(process.argv[2] ?? "{}");
const p = { ...DEFAULT_PARAMS, ...over };
const t0 = performance.now();
const m = new Map<string, Float64Array>();
for (const s of corpus) {
  const d = new Proto(p); const out = new Float64Array(s.values.length);
  for (let i = 0; i < s.values.length; i++) out[i] = d.step1(s.ts[i], s.values[i]);
  m.set(s.key, out);
}
const t1 = performance.now();
const all = score(m);
const cats = ["artificialWithAnomaly", "realAWSCloudwatch", "realAdExchange", "realKnownCause"];
const f = (x: number) => x.toFixed(1);
console.log(JSON.stringify(over), `std=${f(all.standard)} lowFP=${f(all.reward_low_FP_rate)} lowFN=${f(all.reward_low_FN_rate)} thr=${all.thr.toFixed(3)}`,
  cats.map((c) => `${c.slice(0, 8)}=${f(score(m, (k) => k.startsWith(c) || k.startsWith("artificialNo")).standard)}`).join(" "), `${((t1 - t0) * 1e6 / 191263).toFixed(0)}ns`,
  JSON.stringify(all.counts));
if (process.env.PERFILE) for (const r of all.perFile) console.log(r.file.padEnd(60), r.score.toFixed(3), r.tp, r.fp, r.fn);
