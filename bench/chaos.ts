// npm run chaos [-- --interval 2 --only crash,hung --quiet-minutes N]
// Fault injection against the real Worker (wrangler dev) and the real agent: a crashed process,
// a hung one (SIGSTOP: alive, failing its HTTP check), a cache folder filled past its budget, a
// corrupted config file, a process whose memory grows steadily, and a flapping service. Prints,
// per scenario, whether it was detected and recovered, the actions taken and the MTTR; then the
// auto-recovery rate and p50/p95 MTTR. --quiet-minutes N runs with no faults and counts actions.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { waitFor } from "../scripts/lib/stack.mjs";
import { CACHE_MAX_BYTES, type ChaosLab, startChaosLab } from "./lib/chaos-lab";

const { values } = parseArgs({
  options: {
    interval: { type: "string", default: "2" },
    only: { type: "string" },
    "quiet-minutes": { type: "string" },
  },
});
const interval = Number(values.interval);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : Number.NaN;
};

interface Scenario {
  name: string;
  rule: string;
  inject: (lab: ChaosLab) => Promise<unknown>;
  /** Beyond the issue resolving: is the fault really gone? */
  healthy: (lab: ChaosLab) => Promise<boolean>;
}

const answers = async (url: string) => {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
};
const up = (svc: Parameters<ChaosLab["url"]>[0]) => (lab: ChaosLab) => answers(lab.url(svc));

const SCENARIOS: Scenario[] = [
  {
    name: "crash",
    rule: "crash_down",
    inject: async (lab) => process.kill(lab.pidOf("crash"), "SIGKILL"),
    healthy: up("crash"),
  },
  {
    name: "hung",
    rule: "hung_down",
    inject: async (lab) => process.kill(lab.pidOf("hung"), "SIGSTOP"),
    healthy: up("hung"),
  },
  {
    name: "cache",
    rule: "cache_full",
    inject: async (lab) => {
      for (let i = 0; i < 3; i++)
        writeFileSync(path.join(lab.cacheDir, `blob-${i}`), Buffer.alloc(CACHE_MAX_BYTES / 2, 7));
    },
    healthy: up("cache"),
  },
  {
    name: "config",
    rule: "config_drift",
    inject: async (lab) => writeFileSync(lab.configPath, '{ "listen": 8080, "workers": '),
    healthy: async (lab) => {
      try {
        JSON.parse((await import("node:fs")).readFileSync(lab.configPath, "utf8"));
        return true;
      } catch {
        return false;
      }
    },
  },
  {
    name: "leak",
    rule: "rss_high",
    inject: async (lab) => process.kill(lab.pidOf("leak"), "SIGUSR2"),
    healthy: up("leak"),
  },
  {
    name: "flap",
    rule: "flap_down",
    inject: async (lab) => {
      // Crashes again each time it has just been healed: opens, resolves, opens... (flapping).
      for (let i = 0; i < 4; i++) {
        await waitFor(
          async () =>
            (await answers(lab.url("flap"))) &&
            (await issuesOf(lab)).every((x) => x.rule !== "flap_down" || x.status === "resolved"),
          { timeoutMs: 60_000, intervalMs: 100, what: "flap healed" },
        );
        process.kill(lab.pidOf("flap"), "SIGKILL");
        await pause(300);
      }
    },
    healthy: up("flap"),
  },
];

interface Outcome {
  name: string;
  detected: boolean;
  recovered: boolean;
  actions: string[];
  mttr: number | null;
  faultToHealthy: number | null;
  note?: string;
}

async function issuesOf(lab: ChaosLab): Promise<any[]> {
  return (await lab.call("GET", `/api/healing/issues?host=${lab.hostId}&limit=200`)).items;
}

async function settle(lab: ChaosLab) {
  await waitFor(async () => (await issuesOf(lab)).every((i) => i.status === "resolved"), {
    timeoutMs: 120_000,
    intervalMs: 250,
    what: "no active issue",
  });
  await pause(500 + Math.random() * interval * 1000);
}

async function runScenario(lab: ChaosLab, s: Scenario): Promise<Outcome> {
  const out: Outcome = {
    name: s.name,
    detected: false,
    recovered: false,
    actions: [],
    mttr: null,
    faultToHealthy: null,
  };
  const before = new Set((await issuesOf(lab)).map((i) => i.id));
  const t0 = Date.now();
  await s.inject(lab);
  const fresh = async () => (await issuesOf(lab)).filter((i) => i.rule === s.rule && !before.has(i.id));
  try {
    await waitFor(async () => (await fresh()).length > 0, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: "detection",
    });
    out.detected = true;
    await waitFor(
      async () => (await fresh()).every((i) => i.status === "resolved") && (await s.healthy(lab)),
      {
        timeoutMs: 90_000,
        intervalMs: 200,
        what: "recovery",
      },
    );
    out.faultToHealthy = (Date.now() - t0) / 1000;
    const issues = await fresh();
    const last = issues[0];
    out.mttr = last.mttrSeconds;
    for (const i of issues.reverse()) {
      const detail = await lab.call("GET", `/api/healing/issues/${i.id}`);
      for (const h of [...detail.history].reverse())
        out.actions.push(`${h.action}:${h.status}${h.trigger === "auto" ? "" : `(${h.trigger})`}`);
    }
    out.recovered = issues.every((i) => i.status === "resolved");
    if (issues.length > 1) out.note = `${issues.length} issues`;
  } catch (err) {
    out.note = (err as Error).message.split("\n")[0];
    for (const i of await fresh()) {
      const detail = await lab.call("GET", `/api/healing/issues/${i.id}`);
      out.note += ` [${i.status}: ${detail.explanation?.plan?.why ?? ""}]`;
      for (const h of [...detail.history].reverse()) out.actions.push(`${h.action}:${h.status}`);
    }
  }
  return out;
}

async function quiet(lab: ChaosLab, minutes: number) {
  console.log(`chaos --quiet-minutes ${minutes}: no faults, counting actions`);
  await pause(minutes * 60_000);
  const history = (await lab.call("GET", "/api/healing/recovery-history?limit=500")).items;
  const issues = await issuesOf(lab);
  console.log(`  actions: ${history.length} (target 0)   issues: ${issues.length}`);
  for (const i of issues) console.log(`    ${i.rule} ${i.target} ${i.status}: ${i.summary}`);
  return history.length === 0;
}

console.log(`chaos: real Worker + real agent, ${interval} s interval`);
const lab = await startChaosLab({ interval });
let ok = true;
try {
  if (values["quiet-minutes"]) ok = await quiet(lab, Number(values["quiet-minutes"]));
  else {
    const only = values.only?.split(",");
    const outcomes: Outcome[] = [];
    for (const s of SCENARIOS.filter((x) => !only || only.includes(x.name))) {
      await settle(lab);
      const o = await runScenario(lab, s);
      outcomes.push(o);
      console.log(
        `  ${o.name.padEnd(7)} detected ${o.detected ? "yes" : "NO "}  recovered ${o.recovered ? "yes" : "NO "}  ` +
          `MTTR ${o.mttr ?? "-"} s  fault→healthy ${o.faultToHealthy?.toFixed(1) ?? "-"} s  actions [${o.actions.join(", ")}]` +
          (o.note ? `  (${o.note})` : ""),
      );
    }
    const mttrs = outcomes.filter((o) => o.recovered && o.mttr !== null).map((o) => o.mttr as number);
    const rate = outcomes.filter((o) => o.recovered).length / outcomes.length;
    console.log(
      `overall: auto-recovered ${outcomes.filter((o) => o.recovered).length}/${outcomes.length} (${(rate * 100).toFixed(0)} %)  ` +
        `MTTR p50 ${pct(mttrs, 50)} s  p95 ${pct(mttrs, 95)} s  (targets: 100 %, p95 <= 15 s)`,
    );
    ok = rate === 1 && pct(mttrs, 95) <= 15;
  }
} finally {
  await lab.stop();
}
process.exit(ok ? 0 : 1);
