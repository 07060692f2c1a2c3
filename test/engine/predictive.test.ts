import { describe, expect, it } from "vitest";
import { evaluate, type Rule } from "../../agent/engine";
import { T0, thresholdRule } from "./support/factories";

const MIN = 60_000;

/** One sample a minute for `minutes`, value from f(i). */
function minutes(metric: string, count: number, f: (i: number) => number, start = T0) {
  return Array.from({ length: count }, (_, i) => ({ ts: start + i * MIN, metrics: { [metric]: f(i) } }));
}

// A deterministic pseudo-random noise source (the engine takes no randomness it is not handed).
function noise(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296 - 0.5;
  };
}

const forecastRule = (o: Partial<Rule> = {}): Rule =>
  thresholdRule({
    id: "disk_forecast",
    name: "Disk filling",
    kind: "forecast",
    metric: "disk:*",
    limit: 100,
    horizonSeconds: 4 * 3600,
    windowSeconds: 3600,
    durationSeconds: 0,
    threshold: undefined,
    ...o,
  });

describe("forecast rules (time to exhaustion)", () => {
  it("warns that a steadily filling disk will be full before any threshold is crossed", () => {
    // 50 % rising 10 points an hour: full in ~5 h from the start, so within 4 h after an hour.
    const samples = minutes("disk:/var", 90, (i) => 50 + (10 * i) / 60);
    const result = evaluate([forecastRule()], undefined, { samples, now: T0 });
    expect(result.opened).toHaveLength(1);
    const f = result.opened[0];
    expect(f.target).toBe("disk:/var");
    expect(f.evidence.value).toBeLessThan(70);
    expect(f.evidence.extra?.slopePerHour).toBeCloseTo(10, 0);
    expect(f.summary).toMatch(/disk:\/var will reach 100 in ~\d+ h/);
  });

  it("clears when the trend flattens", () => {
    const rising = minutes("disk:/var", 90, (i) => 50 + (10 * i) / 60);
    const first = evaluate([forecastRule()], undefined, { samples: rising, now: T0 });
    const flat = minutes("disk:/var", 120, () => 65, T0 + 90 * MIN);
    const second = evaluate([forecastRule()], first.state, { samples: flat, now: T0 });
    expect(second.cleared.map((c) => c.target)).toEqual(["disk:/var"]);
  });

  it("stays quiet on a noisy but flat series", () => {
    const rnd = noise(7);
    const samples = minutes("disk:/", 240, () => 60 + rnd() * 6);
    expect(evaluate([forecastRule()], undefined, { samples, now: T0 }).opened).toHaveLength(0);
  });

  it("ignores a single spike that least squares would turn into a trend", () => {
    const samples = minutes("disk:/", 90, (i) => (i === 85 ? 99 : 40));
    expect(evaluate([forecastRule()], undefined, { samples, now: T0 }).opened).toHaveLength(0);
  });

  it("keeps the per-metric state bounded over a long run", () => {
    const samples = minutes("disk:/", 24 * 60, (i) => 40 + (i % 7));
    const result = evaluate([forecastRule()], undefined, { samples, now: T0 });
    expect(JSON.stringify(result.state).length).toBeLessThan(4096);
  });
});

describe("growth rules (the seed's memory_leak growth_rate)", () => {
  const leakRule = thresholdRule({
    id: "memory_leak",
    name: "Memory leak",
    kind: "growth",
    metric: "svc:*.rss",
    growthRate: 5,
    windowSeconds: 3600,
    durationSeconds: 0,
    severity: "critical",
    threshold: undefined,
  });

  it("flags a process whose RSS grows faster than growth_rate % per hour", () => {
    // 200 MB growing 20 MB/h = 10 %/h.
    const samples = minutes("svc:api.rss", 70, (i) => 200e6 + (20e6 * i) / 60);
    const result = evaluate([leakRule], undefined, { samples, now: T0 });
    expect(result.opened.map((f) => f.target)).toEqual(["svc:api.rss"]);
    expect(result.opened[0].evidence.extra?.ratePerHour).toBeGreaterThan(8);
  });

  it("does not flag a steady process", () => {
    const rnd = noise(3);
    const samples = minutes("svc:api.rss", 120, () => 200e6 * (1 + rnd() * 0.02));
    expect(evaluate([leakRule], undefined, { samples, now: T0 }).opened).toHaveLength(0);
  });

  it("reads percent metrics in points per hour", () => {
    const rule = { ...leakRule, metric: "memory" };
    const samples = minutes("memory", 70, (i) => 40 + (6 * i) / 60);
    const result = evaluate([rule], undefined, { samples, now: T0 });
    expect(result.opened[0].evidence.extra?.ratePerHour).toBeCloseTo(6, 0);
  });
});

describe("baseline rules (adaptive thresholds)", () => {
  const rule = thresholdRule({
    id: "cpu_abnormal",
    name: "CPU above normal",
    kind: "baseline",
    metric: "cpu",
    quantile: 0.99,
    factor: 1.2,
    threshold: 20,
    durationSeconds: 300,
  });

  it("learns a daily pattern and does not fire on it, then fires on a sustained departure", () => {
    const rnd = noise(11);
    const daily = (i: number) => 30 + 20 * Math.sin((2 * Math.PI * i) / 1440) + rnd() * 4;
    const week = minutes("cpu", 3 * 1440, daily);
    const learned = evaluate([rule], undefined, { samples: week, now: T0 });
    expect(learned.opened).toHaveLength(0);

    const hot = minutes("cpu", 10, () => 90, T0 + 3 * 1440 * MIN);
    const result = evaluate([rule], learned.state, { samples: hot, now: T0 });
    expect(result.opened).toHaveLength(1);
    expect(result.opened[0].evidence.extra?.baseline).toBeGreaterThan(45);
    expect(result.opened[0].evidence.extra?.baseline).toBeLessThan(60);
  });

  it("says nothing until it has seen enough samples", () => {
    const result = evaluate([rule], undefined, { samples: minutes("cpu", 30, () => 95), now: T0 });
    expect(result.opened).toHaveLength(0);
  });

  it("survives a restart: the state round-trips through JSON", () => {
    const rnd = noise(5);
    const samples = minutes("cpu", 600, () => 20 + rnd() * 4);
    const a = evaluate([rule], undefined, { samples, now: T0 });
    const restored = JSON.parse(JSON.stringify(a.state));
    const next = minutes("cpu", 10, () => 80, T0 + 600 * MIN);
    expect(evaluate([rule], restored, { samples: next, now: T0 }).opened).toEqual(
      evaluate([rule], a.state, { samples: next, now: T0 }).opened,
    );
    expect(JSON.stringify(a.state).length).toBeLessThan(4096);
  });
});

describe("flap detection", () => {
  const rule = thresholdRule({ durationSeconds: 0, flapCount: 3, flapWindowSeconds: 600 });
  const alternating = (n: number, start = T0) => minutes("cpu", n, (i) => (i % 2 === 0 ? 99 : 10), start);

  it("marks an issue that opens and closes N times in M minutes as flapping and holds it open", () => {
    const result = evaluate([rule], undefined, { samples: alternating(8), now: T0 });
    expect(result.opened).toHaveLength(3);
    expect(result.cleared).toHaveLength(2);
    expect(result.flapping).toHaveLength(1);
    expect(result.active[0].flapping).toBe(true);
  });

  it("clears a flapping issue only once it has settled for the flap window", () => {
    const flapping = evaluate([rule], undefined, { samples: alternating(6), now: T0 });
    const calm = minutes("cpu", 12, () => 10, T0 + 6 * MIN);
    const result = evaluate([rule], flapping.state, { samples: calm, now: T0 });
    expect(result.cleared).toHaveLength(1);
    expect(result.cleared[0].reason).toBe("settled");
    expect(result.cleared[0].at).toBe(T0 + 15 * MIN);
  });
});

describe("anomaly-style streaks", () => {
  it("needs minSamples consecutive breaching samples", () => {
    const rule = thresholdRule({ durationSeconds: 0, minSamples: 3 });
    expect(
      evaluate([rule], undefined, { samples: minutes("cpu", 2, () => 99), now: T0 }).opened,
    ).toHaveLength(0);
    expect(
      evaluate([rule], undefined, { samples: minutes("cpu", 3, () => 99), now: T0 }).opened,
    ).toHaveLength(1);
  });
});

describe("anomaly rules", () => {
  const rule = thresholdRule({
    id: "latency_anomaly",
    name: "Latency anomaly",
    kind: "anomaly",
    metric: "latency",
    minScore: 0.5,
    holdSamples: 5,
    durationSeconds: 0,
    threshold: undefined,
  });
  // A perfectly regular series, so any sane detector has learned it after its warm-up.
  const calm = minutes("latency", 800, (i) => 100 + (i % 4));

  it("opens when the detector scores a sample anomalous and explains it with the score", () => {
    const learned = evaluate([rule], undefined, { samples: calm, now: T0 });
    expect(learned.opened).toHaveLength(0);
    const spike = minutes("latency", 1, () => 900, T0 + 800 * MIN);
    const result = evaluate([rule], learned.state, { samples: spike, now: T0 });
    expect(result.opened).toHaveLength(1);
    expect(result.opened[0].evidence.extra?.score).toBeGreaterThanOrEqual(0.5);
    expect(result.opened[0].summary).toMatch(/latency anomalous \(score/);
  });

  it("holds the issue until holdSamples calm scores, then clears", () => {
    const learned = evaluate([rule], undefined, { samples: calm, now: T0 });
    const spike = evaluate([rule], learned.state, {
      samples: minutes("latency", 1, () => 900, T0 + 800 * MIN),
      now: T0,
    });
    const after = minutes("latency", 30, (i) => 100 + ((i + 1) % 4), T0 + 801 * MIN);
    const result = evaluate([rule], spike.state, { samples: after, now: T0 });
    expect(result.cleared).toHaveLength(1);
    // never before holdSamples calm samples have passed
    expect(result.cleared[0].at).toBeGreaterThanOrEqual(T0 + 805 * MIN);
  });

  it("keeps the detector state within 4 KB per metric and continues identically after a restart", () => {
    const learned = evaluate([rule], undefined, { samples: calm, now: T0 });
    expect(JSON.stringify(learned.state.series?.latency?.anomaly).length).toBeLessThanOrEqual(4096);
    const next = minutes("latency", 50, (i) => (i === 30 ? 700 : 100), T0 + 800 * MIN);
    const direct = evaluate([rule], learned.state, { samples: next, now: T0 });
    const restored = evaluate([rule], JSON.parse(JSON.stringify(learned.state)), { samples: next, now: T0 });
    expect(restored.state.series?.latency?.scores).toEqual(direct.state.series?.latency?.scores);
  });
});

describe("growth rules with the seed's threshold", () => {
  it("fires on the level alone before the trend window has filled", () => {
    const rule = thresholdRule({
      id: "memory_leak",
      kind: "growth",
      metric: "memory",
      threshold: 95,
      growthRate: 5,
      durationSeconds: 0,
    });
    expect(
      evaluate([rule], undefined, { samples: minutes("memory", 3, () => 97), now: T0 }).opened,
    ).toHaveLength(1);
  });
});

describe("flap detection on service rules", () => {
  const run = (rule: Rule) => {
    let state: ReturnType<typeof evaluate>["state"] | undefined;
    let flapping = 0;
    for (let i = 0; i < 10; i++) {
      const status = i % 2 === 0 ? "down" : "up";
      const r = evaluate([rule], state, {
        samples: [],
        services: [{ name: "web", status }],
        now: T0 + i * 5000,
      });
      state = r.state;
      flapping += r.flapping.length;
    }
    return flapping;
  };
  const service = thresholdRule({ id: "service_down", kind: "service", service: "*", durationSeconds: 0 });

  it("is off unless the rule asks, so a service killed and healed again and again is healed each time", () => {
    expect(run(service)).toBe(0);
  });

  it("applies when the rule sets flapCount", () => {
    expect(run({ ...service, flapCount: 3 })).toBe(1);
  });
});

describe("trend fitting", () => {
  it("finds the Theil-Sen slope and level whatever the order of values", async () => {
    const { emptyTrend, fitTrend, pushTrend } = await import("../../agent/engine/trend");
    let w = emptyTrend();
    const values = [5, 1, 4, 2, 3, 9, 7, 8, 6, 10, 11, 12];
    values.forEach((v, i) => {
      w = pushTrend(w, T0 + i * MIN, v, 3_600_000);
    });
    const fit = fitTrend(w);
    // pairwise slopes of this series have median 1 per minute = 60 per hour; level = median 6.5
    expect(fit?.slopePerHour).toBeCloseTo(60, 6);
    expect(fit?.level).toBe(6.5);
  });
});
