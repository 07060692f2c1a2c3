import { describe, expect, it } from "vitest";
import {
  DEFAULT_THRESHOLDS,
  defaultRules,
  type EngineService,
  evaluate,
  type HostEngineState,
  type Rule,
} from "../../agent/engine";
import { T0 } from "./support/factories";

const MIN = 60_000;
const base = { durationSeconds: 60, severity: "medium" as const, actions: [], enabled: true };
const rules: Rule[] = [
  { ...base, id: "cpu_hi", name: "cpu", kind: "threshold", metric: "cpu", threshold: 70, clearThreshold: 60 },
  { ...base, id: "disk_fill", name: "disk", kind: "forecast", metric: "disk:*", horizonSeconds: 21600 },
  { ...base, id: "leak", name: "leak", kind: "growth", metric: "svc:*.rss", growthRate: 5 },
  { ...base, id: "cpu_base", name: "cpu base", kind: "baseline", metric: "cpu", quantile: 0.9 },
  { ...base, id: "cpu_anom", name: "cpu anomaly", kind: "anomaly", metric: "cpu", minScore: 0.5 },
  { ...base, id: "svc_down", name: "down", kind: "service", service: "*", durationSeconds: 0, flapCount: 2 },
];

// A host whose cpu swings across its threshold, whose disk fills, whose web process leaks and
// whose db keeps dying: every kind of track (open, flapping, quiet) and series is in the state.
function report(i: number) {
  const ts = T0 + i * MIN;
  const cpu = i % 40 < 6 ? 95 : 30 + 5 * Math.sin(i / 7);
  const services: EngineService[] = [
    { name: "web", status: "up" },
    { name: "db", status: i % 9 < 2 ? "down" : "up" },
  ];
  const metrics = { cpu, "disk:/": 40 + i / 5, "svc:web.rss": 1e8 + i * 2e6, "svc:db.rss": 5e8 };
  return { samples: [{ ts, metrics }], services, now: ts };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

describe("evaluate's purity", () => {
  it("never writes to the state it was given, however deep", () => {
    let state: HostEngineState | undefined;
    for (let i = 0; i < 200; i++) {
      const frozen = deepFreeze(state);
      const copy = JSON.stringify(frozen);
      state = evaluate(rules, frozen, report(i)).state;
      expect(JSON.stringify(frozen)).toBe(copy);
    }
    expect(Object.keys(state?.tracks ?? {}).length).toBeGreaterThan(0);
  });

  it("gives the same results whether the state it returned is reused or read back from JSON", () => {
    let shared: HostEngineState | undefined;
    let stored: HostEngineState | undefined;
    let opened = 0;
    for (let i = 0; i < 200; i++) {
      const a = evaluate(rules, shared, report(i));
      const b = evaluate(rules, stored, report(i));
      expect(a).toEqual(b);
      opened += a.opened.length;
      shared = a.state;
      stored = JSON.parse(JSON.stringify(b.state));
    }
    expect(opened).toBeGreaterThan(5);
  });

  it("gives the same results, reused or read back, with the built-in rules over hours of reports", () => {
    // A report a minute for 6 hours: full trend windows refitted each report, baselines past
    // their learning span, both detectors; the state reused is what a warm host object keeps.
    const builtins = defaultRules(DEFAULT_THRESHOLDS, { diagnostics: true });
    let shared: HostEngineState | undefined;
    let stored: HostEngineState | undefined;
    let opened = 0;
    for (let i = 0; i < 360; i++) {
      const ts = T0 + i * MIN;
      const wave = Math.sin(i / 9);
      const metrics = {
        cpu: i % 100 > 90 ? 97 : 25 + 10 * wave + ((i * 7919) % 5),
        memory: 50 + i / 40 + wave,
        disk: 61.4,
        "disk:/": 60 + i / 30,
        load1: 0.8 + wave / 5,
        "net.rx": 12_000 + 1000 * wave,
        "svc:web.rss": 1.2e8 + i * 5e5 + ((i * 31) % 7) * 1e5,
      };
      const input = {
        samples: [{ ts, metrics }],
        services: [{ name: "web", status: "up" as const }],
        now: ts,
      };
      const a = evaluate(builtins, shared, input);
      const b = evaluate(builtins, stored, input);
      expect(a).toEqual(b);
      opened += a.opened.length;
      shared = a.state;
      stored = JSON.parse(JSON.stringify(b.state));
    }
    expect(shared?.series?.["disk:/"]?.trend?.pts.length).toBe(60);
    expect(opened).toBeGreaterThan(2);
  }, 30_000);
});
