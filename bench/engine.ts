// npm run bench:engine
// The pure engine's cost: µs per report for evaluate() with 20 rules of every kind over one new
// sample (the steady state of a host reporting every interval), and ns per point for each
// detector. Medians of 7 runs.

import {
  DEFAULT_THRESHOLDS,
  defaultRules,
  evaluate,
  type HostEngineState,
  MAX_STATE_BYTES,
  type Rule,
} from "../agent/engine";
import { createDetector, restoreDetector } from "../agent/engine/anomaly";
import { Categories } from "../agent/engine/anomaly/categories";
import { fromBase64, toBase64 } from "../agent/engine/anomaly/memory";
import { emptyBaseline, learnBaseline } from "../agent/engine/baseline";
import { stateBytesAtMost } from "../agent/engine/budget";
import { jsonBytesAtMost } from "../agent/engine/json-bound";
import { emptyTrend, fitTrend, pushTrend } from "../agent/engine/trend";
import { jsonBytesAtMostBefore } from "./lib/json-bound-before";
import {
  decodeCategoriesBefore,
  encodeCategoriesBefore,
  fromBase64Before,
  toBase64Before,
} from "./lib/snapshot-codec-before";
import { fitPointsBefore } from "./lib/trend-fit-before";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const MIN = 60_000;

function rules(): Rule[] {
  const base = { durationSeconds: 60, severity: "medium" as const, actions: [], enabled: true };
  const extra: Rule[] = [
    {
      ...base,
      id: "disk_fill",
      name: "disk filling",
      kind: "forecast",
      metric: "disk:*",
      horizonSeconds: 21600,
      windowSeconds: 7200,
    },
    {
      ...base,
      id: "mem_fill",
      name: "memory filling",
      kind: "forecast",
      metric: "memory",
      horizonSeconds: 3600,
    },
    { ...base, id: "leak", name: "leak", kind: "growth", metric: "svc:*.rss", growthRate: 5 },
    {
      ...base,
      id: "cpu_base",
      name: "cpu baseline",
      kind: "baseline",
      metric: "cpu",
      quantile: 0.99,
      threshold: 20,
    },
    { ...base, id: "load_base", name: "load baseline", kind: "baseline", metric: "load1", quantile: 0.99 },
    { ...base, id: "cpu_anom", name: "cpu anomaly", kind: "anomaly", metric: "cpu", minScore: 0.8 },
    { ...base, id: "net_anom", name: "net anomaly", kind: "anomaly", metric: "net.rx", minScore: 0.8 },
    { ...base, id: "load_hi", name: "load", kind: "threshold", metric: "load1", threshold: 8 },
    { ...base, id: "swap_hi", name: "swap", kind: "threshold", metric: "swap", threshold: 50 },
    { ...base, id: "svc_cpu", name: "svc cpu", kind: "threshold", metric: "svc:*.cpu", threshold: 90 },
    { ...base, id: "db_down", name: "db down", kind: "service", service: "db", durationSeconds: 0 },
    { ...base, id: "net_tx", name: "net tx", kind: "threshold", metric: "net.tx", threshold: 1e9 },
    { ...base, id: "tls", name: "tls", kind: "threshold", metric: "tls:*.days", op: "below", threshold: 14 },
  ];
  return [...defaultRules(DEFAULT_THRESHOLDS), ...extra].slice(0, 20);
}

function sample(i: number) {
  const wave = Math.sin(i / 50);
  return {
    ts: Date.UTC(2026, 0, 1) + i * MIN,
    metrics: {
      cpu: 30 + 10 * wave,
      memory: 55 + wave,
      swap: 2,
      disk: 61,
      "disk:/": 61,
      "disk:/var": 40 + i / 1e4,
      load1: 1 + wave,
      "net.rx": 1e6 * (2 + wave),
      "net.tx": 5e5,
      "svc:web.cpu": 12,
      "svc:web.rss": 2e8 + i * 10,
      "svc:db.cpu": 5,
      "svc:db.rss": 5e8,
    },
  };
}

// Per report: one sample, the host's state carried between reports (as the Worker does via D1 JSON).
const rs = rules();
const services = [
  { name: "web", status: "up" as const },
  { name: "db", status: "up" as const },
];
const runs: number[] = [];
let stateBytes = 0;
for (let run = 0; run < 7; run++) {
  let state: HostEngineState | undefined;
  for (let i = 0; i < 1500; i++)
    state = evaluate(rs, state, { samples: [sample(i)], services, now: sample(i).ts }).state; // warm
  const n = 500;
  const t0 = process.hrtime.bigint();
  for (let i = 1500; i < 1500 + n; i++) {
    // the round trip through JSON is what the Worker pays to keep the state in D1
    state = JSON.parse(
      JSON.stringify(evaluate(rs, state, { samples: [sample(i)], services, now: sample(i).ts }).state),
    );
  }
  runs.push(Number(process.hrtime.bigint() - t0) / 1e3 / n);
  stateBytes = JSON.stringify(state).length;
}
console.log(
  `evaluate, ${rs.length} rules, 1 sample a report: ${median(runs).toFixed(0)} µs per report (median of 7; host state ${stateBytes} bytes of JSON)`,
);

function perPoint(label: string, fn: (i: number) => void, n = 20_000) {
  const times: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    times.push(Number(process.hrtime.bigint() - t0) / n);
  }
  console.log(`${label}: ${median(times).toFixed(0)} ns per point`);
}
const detector = createDetector();
perPoint("anomaly detector step", (i) => detector.step(i * MIN, 50 + 10 * Math.sin(i / 30)));
let b = emptyBaseline();
perPoint("baseline learn", (i) => {
  b = learnBaseline(b, i * MIN, 40 + (i % 17), true);
});
let w = emptyTrend();
perPoint(
  "trend push + Theil-Sen fit (60 points)",
  (i) => {
    w = pushTrend(w, i * MIN, 40 + i / 100, 3_600_000);
    fitTrend(w);
  },
  5_000,
);

// A cold host object restores each anomaly detector from its snapshot on every report, and every
// report saves them. The snapshot's two encoded parts (the filter's base64, the categories) go
// through the current codec and the one it replaced (bench/lib/snapshot-codec-before.ts), side by
// side on the same snapshot, interleaved round by round.
function perCall(fn: () => void, n = 2_000): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
}
const learned = createDetector();
for (let i = 0; i < 20_000; i++) learned.step(i * MIN, 50 + 10 * Math.sin(i / 30) + ((i * 7919) % 13));
const snap = learned.toJSON();
const { window: width, levels, capacity } = snap.params.resonance;
const cats = new Categories(width, levels, capacity);
cats.decode(snap.res.cats);
const filter = fromBase64(snap.memory);
const codec: Record<string, [() => void, () => void]> = {
  "filter decode": [() => fromBase64Before(snap.memory), () => fromBase64(snap.memory)],
  "categories decode": [
    () => decodeCategoriesBefore(snap.res.cats, width),
    () => new Categories(width, levels, capacity).decode(snap.res.cats),
  ],
  "filter encode": [() => toBase64Before(filter), () => toBase64(filter)],
  "categories encode": [() => encodeCategoriesBefore(cats.boxes), () => cats.encode()],
};
const times = new Map(Object.keys(codec).map((k) => [k, { before: [] as number[], now: [] as number[] }]));
const restores: number[] = [];
for (let r = 0; r < 7; r++) {
  for (const [name, [before, now]] of Object.entries(codec)) {
    times.get(name)?.before.push(perCall(before));
    times.get(name)?.now.push(perCall(now));
  }
  restores.push(perCall(() => restoreDetector(snap), 1_000));
}
let saved = 0;
const parts = [...times].map(([name, t]) => {
  const [b, n] = [median(t.before), median(t.now)];
  if (name.endsWith("decode")) saved += b - n;
  return `${name} ${b.toFixed(1)} -> ${n.toFixed(1)} (x${(n / b).toFixed(2)})`;
});
const restore = median(restores);
console.log(
  `anomaly snapshot codec (${JSON.stringify(snap).length} bytes of JSON), µs per call, before -> now, medians of 7: ` +
    `${parts.join(", ")}; a whole restore now ${restore.toFixed(1)}, with the decoders before ~${(restore + saved).toFixed(1)} ` +
    `(x${(restore / (restore + saved)).toFixed(2)})`,
);

// The state's size bound before pruning (budget.ts) walked the whole state, the two detectors'
// snapshots included; it now counts each snapshot as the 4 KB the detector keeps it under. Side by
// side on the same warm state: the walk over all of it (before) and the bound now.
let warm: HostEngineState | undefined;
for (let i = 0; i < 1500; i++)
  warm = evaluate(rs, warm, { samples: [sample(i)], services, now: sample(i).ts }).state;
if (!warm) throw new Error("no state");
const warmState = warm;
const bounds = { before: [] as number[], now: [] as number[] };
for (let r = 0; r < 7; r++) {
  bounds.before.push(perCall(() => jsonBytesAtMost(warmState, MAX_STATE_BYTES), 20_000));
  bounds.now.push(perCall(() => stateBytesAtMost(warmState, MAX_STATE_BYTES), 20_000));
}
const [bb, bn] = [median(bounds.before), median(bounds.now)];
console.log(
  `state size bound before pruning (state ${JSON.stringify(warmState).length} bytes, 2 detectors), µs per report, medians of 7: ` +
    `${bb.toFixed(2)} -> ${bn.toFixed(2)} (x${(bn / bb).toFixed(2)})`,
);

// The walk itself (the state without its detectors' snapshots, as stateBytesAtMost walks it):
// the previous bound, a call per [time, value] pair and a pattern test per key, and this one,
// which bounds a pair in place and checks a short key by its character codes; interleaved.
const lean = {
  ...warmState,
  series: Object.fromEntries(
    Object.entries(warmState.series ?? {}).map(([k, { anomaly: _a, ...rest }]) => [k, rest]),
  ),
};
const walks = { before: [] as number[], now: [] as number[] };
for (let r = 0; r < 7; r++) {
  walks.before.push(perCall(() => jsonBytesAtMostBefore(lean, MAX_STATE_BYTES), 20_000));
  walks.now.push(perCall(() => jsonBytesAtMost(lean, MAX_STATE_BYTES), 20_000));
}
const [wb, wn] = [median(walks.before), median(walks.now)];
console.log(
  `the size bound's walk (${JSON.stringify(lean).length} bytes without the snapshots), µs per report, medians of 7, before -> now: ` +
    `${wb.toFixed(2)} -> ${wn.toFixed(2)} (x${(wn / wb).toFixed(2)})`,
);

// A window refitted on every report, a sample 10 s apart into a full 60-point hour: the fit now
// (its median slope selected within where its predecessor's was) and the one before it
// (bench/lib/trend-fit-before.ts: a selection among all 1770 slopes), side by side on the same
// windows, interleaved round by round, per shape of series.
const r2 = (n: number) => Math.round(n * 100) / 100;
const shapes: [string, (k: number) => number][] = [
  ["a wave to 2 decimals", (k) => r2(52 + Math.sin(k / 6))],
  ["flat", () => 61.4],
  ["a slow climb", (k) => 40.02 + k / 1e5],
  ["a noisy climb", (k) => 40 + k / 100 + Math.sin(k)],
];
const fitTimes = shapes.map(([name, value]) => {
  const windows = (refit: (w: ReturnType<typeof emptyTrend>) => void) => {
    let tw = emptyTrend();
    for (let k = 0; k < 400; k++) {
      tw = pushTrend(tw, k * 10_000, value(k), 3_600_000);
      refit(tw);
    }
    return () => {
      const t0 = process.hrtime.bigint();
      for (let k = 400; k < 2400; k++) {
        tw = pushTrend(tw, k * 10_000, value(k), 3_600_000);
        refit(tw);
      }
      return Number(process.hrtime.bigint() - t0) / 1e3 / 2000;
    };
  };
  const before = windows((tw) => fitPointsBefore(tw.pts));
  const now = windows((tw) => fitTrend(tw));
  const t = { before: [] as number[], now: [] as number[] };
  for (let r = 0; r < 7; r++) {
    t.before.push(before());
    t.now.push(now());
  }
  const [fb, fn] = [median(t.before), median(t.now)];
  return `${name} ${fb.toFixed(1)} -> ${fn.toFixed(1)} (x${(fn / fb).toFixed(2)})`;
});
console.log(
  `trend push + fit per window and report, µs, before -> now, medians of 7: ${fitTimes.join(", ")}`,
);
