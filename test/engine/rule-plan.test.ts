import { describe, expect, it } from "vitest";
import {
  DEFAULT_THRESHOLDS,
  defaultRules,
  type EngineService,
  evaluate,
  type HostEngineState,
  type Rule,
} from "../../agent/engine";
import { T0, thresholdRule } from "./support/factories";

const base = { durationSeconds: 60, severity: "medium" as const, actions: [], enabled: true };
const rules: Rule[] = [
  ...defaultRules(DEFAULT_THRESHOLDS, { diagnostics: true }),
  {
    ...base,
    id: "disk_fill",
    name: "disk filling",
    kind: "forecast",
    metric: "disk:*",
    horizonSeconds: 21600,
  },
  { ...base, id: "leak", name: "leak", kind: "growth", metric: "svc:*.rss", growthRate: 5 },
  { ...base, id: "cpu_base", name: "cpu baseline", kind: "baseline", metric: "cpu", quantile: 0.99 },
  { ...base, id: "net_anom", name: "net anomaly", kind: "anomaly", metric: "net.rx", minScore: 0.8 },
  { ...base, id: "svc_cpu", name: "svc cpu", kind: "threshold", metric: "svc:*.cpu", threshold: 60 },
  { ...base, id: "off", name: "off", kind: "threshold", metric: "cpu", threshold: 1, enabled: false },
  { ...base, id: "db_down", name: "db down", kind: "service", service: "db", durationSeconds: 0 },
];

// a host whose cpu bursts, whose disk fills, whose worker leaks and comes and goes, whose db dies now and then
function report(i: number) {
  const ts = T0 + i * 60_000;
  const wave = Math.sin(i / 40);
  const metrics: Record<string, number> = {
    cpu: 25 + 10 * wave + ((i * 7919) % 11) + (i % 300 > 280 ? 70 : 0),
    memory: 50 + ((i * 31) % 7),
    load1: 1 + wave + (i % 300 > 280 ? 6 : 0),
    disk: 40 + i / 60,
    "disk:/": 40 + i / 60,
    "net.rx": 1e6 * (2 + wave) + (i % 500 > 480 ? 5e7 : 0),
    "svc:web.cpu": 10 + (i % 200 > 190 ? 80 : 0),
    "svc:web.rss": 2e8 * (1 + i / 500),
  };
  if (i % 400 < 200) metrics["svc:job.rss"] = 1e8;
  const services: EngineService[] = [{ name: "db", status: i % 250 > 240 ? "down" : "up" }];
  return { samples: [{ ts, metrics }], services, now: ts };
}

describe("the rules' plan kept between reports", () => {
  it("gives a long series evaluated with one rules array the results of a new array at every report", () => {
    let kept: HostEngineState | undefined;
    let fresh: HostEngineState | undefined;
    let opened = 0;
    for (let i = 0; i < 1500; i++) {
      const a = evaluate(rules, kept, report(i));
      const b = evaluate([...rules], fresh, report(i));
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      opened += a.opened.length;
      kept = a.state;
      fresh = b.state;
    }
    // the series opened issues of several rules, so the comparison covered their streaks
    expect(opened).toBeGreaterThan(5);
  }, 60_000);

  it("reads a rule replaced in the same array as replaced", () => {
    const mine = [thresholdRule({ threshold: 90, durationSeconds: 0 })];
    const input = { samples: [{ ts: T0, metrics: { cpu: 80 } }], now: T0 };
    expect(evaluate(mine, undefined, input).opened).toEqual([]);
    mine[0] = thresholdRule({ threshold: 70, durationSeconds: 0 });
    expect(evaluate(mine, undefined, input).opened.map((f) => f.ruleId)).toEqual(["cpu_test"]);
    mine.push(thresholdRule({ id: "cpu_low", threshold: 50, durationSeconds: 0 }));
    expect(evaluate(mine, undefined, input).opened.map((f) => f.ruleId)).toEqual(["cpu_test", "cpu_low"]);
  });
});
