import { describe, expect, it } from "vitest";
import { evaluate } from "../../agent/engine";
import { series, serviceRule, svc, T0, thresholdRule } from "./support/factories";

describe("threshold rules", () => {
  it("opens only after the condition has held for the rule's duration", () => {
    const rule = thresholdRule({ durationSeconds: 30 });
    const early = evaluate([rule], undefined, { samples: series("cpu", [95, 95, 95]), now: T0 });
    expect(early.opened).toHaveLength(0);

    const later = evaluate([rule], early.state, {
      samples: series("cpu", [96], 10, T0 + 30_000),
      now: T0 + 30_000,
    });
    expect(later.opened).toHaveLength(1);
    expect(later.opened[0]).toMatchObject({
      ruleId: "cpu_test",
      target: "",
      severity: "high",
      at: T0 + 30_000,
    });
    expect(later.opened[0].evidence).toMatchObject({ metric: "cpu", value: 96, threshold: 90, since: T0 });
    expect(later.opened[0].evidence.window).toEqual([
      [T0, 95],
      [T0 + 10_000, 95],
      [T0 + 20_000, 95],
      [T0 + 30_000, 96],
    ]);
  });

  it("restarts the streak when the value dips below the threshold before the duration", () => {
    const rule = thresholdRule({ durationSeconds: 30 });
    const result = evaluate([rule], undefined, { samples: series("cpu", [95, 95, 50, 95, 95, 95]), now: T0 });
    expect(result.opened).toHaveLength(0);
    expect(result.state.tracks["cpu_test|"].since).toBe(T0 + 30_000);
  });

  it("opens within one batch of backfilled samples and never opens the same rule twice", () => {
    const rule = thresholdRule({ durationSeconds: 20 });
    const result = evaluate([rule], undefined, { samples: series("cpu", [99, 99, 99, 99, 99, 99]), now: T0 });
    expect(result.opened).toHaveLength(1);
    const again = evaluate([rule], result.state, {
      samples: series("cpu", [99, 99], 10, T0 + 60_000),
      now: T0,
    });
    expect(again.opened).toHaveLength(0);
    expect(again.active).toHaveLength(1);
  });

  it("holds an open issue inside the hysteresis band and clears at the clear level", () => {
    const rule = thresholdRule({ durationSeconds: 0, clearThreshold: 80 });
    const result = evaluate([rule], undefined, { samples: series("cpu", [95, 85, 84]), now: T0 });
    expect(result.opened).toHaveLength(1);
    expect(result.cleared).toHaveLength(0);
    const cleared = evaluate([rule], result.state, {
      samples: series("cpu", [80], 10, T0 + 30_000),
      now: T0,
    });
    expect(cleared.cleared).toEqual([
      { ruleId: "cpu_test", target: "", at: T0 + 30_000, reason: "recovered", value: 80 },
    ]);
    // Only the open time stays behind, for flap detection.
    expect(cleared.state.tracks).toEqual({ "cpu_test|": { active: false, opens: [T0] } });
  });

  it("supports 'below' rules", () => {
    const rule = thresholdRule({ metric: "free", op: "below", threshold: 10, durationSeconds: 0 });
    const result = evaluate([rule], undefined, { samples: series("free", [50, 9]), now: T0 });
    expect(result.opened.map((f) => f.evidence.value)).toEqual([9]);
  });

  it("ignores samples that lack the rule's metric", () => {
    const rule = thresholdRule({ durationSeconds: 0 });
    const result = evaluate([rule], undefined, { samples: series("memory", [99, 99]), now: T0 });
    expect(result.opened).toHaveLength(0);
    expect(result.state.tracks).toEqual({});
  });

  it("ignores durations in an instant check", () => {
    const rule = thresholdRule({ durationSeconds: 300 });
    const result = evaluate([rule], undefined, { samples: series("cpu", [99]), now: T0, instant: true });
    expect(result.opened).toHaveLength(1);
  });

  it("keeps the evidence window bounded however long a breach lasts", () => {
    const rule = thresholdRule({ durationSeconds: 0 });
    const values = Array.from({ length: 500 }, () => 99);
    const result = evaluate([rule], undefined, { samples: series("cpu", values), now: T0 });
    expect(result.state.tracks["cpu_test|"].window).toHaveLength(20);
    expect(JSON.stringify(result.state).length).toBeLessThan(1024);
  });

  it("clears an open issue whose rule was removed or disabled", () => {
    const rule = thresholdRule({ durationSeconds: 0 });
    const open = evaluate([rule], undefined, { samples: series("cpu", [99]), now: T0 });
    const result = evaluate([{ ...rule, enabled: false }], open.state, { samples: [], now: T0 + 5000 });
    expect(result.cleared).toEqual([
      { ruleId: "cpu_test", target: "", at: T0 + 5000, reason: "rule_removed" },
    ]);
  });
});

describe("service rules", () => {
  it("opens one finding per down service, named by the service", () => {
    const result = evaluate([serviceRule()], undefined, {
      samples: [],
      services: [svc("web", "down", { detail: "connection refused" }), svc("db", "up")],
      now: T0,
    });
    expect(result.opened).toHaveLength(1);
    expect(result.opened[0]).toMatchObject({ target: "web", actions: ["restart_service"] });
    expect(result.opened[0].summary).toBe("Service down: web (connection refused)");
  });

  it("clears when the service is up again", () => {
    const first = evaluate([serviceRule()], undefined, {
      samples: [],
      services: [svc("web", "down")],
      now: T0,
    });
    const next = evaluate([serviceRule()], first.state, {
      samples: [],
      services: [svc("web", "up")],
      now: T0 + 2000,
    });
    expect(next.cleared).toEqual([{ ruleId: "svc_test", target: "web", at: T0 + 2000, reason: "recovered" }]);
    expect(next.active).toHaveLength(0);
  });

  it("never treats a service stopped on purpose as down", () => {
    const result = evaluate([serviceRule()], undefined, {
      samples: [],
      services: [svc("web", "down", { stopped: true })],
      now: T0,
    });
    expect(result.opened).toHaveLength(0);
  });

  it("waits for the rule's duration using the report time", () => {
    const rule = serviceRule({ durationSeconds: 10 });
    const first = evaluate([rule], undefined, { samples: [], services: [svc("web", "down")], now: T0 });
    expect(first.opened).toHaveLength(0);
    const second = evaluate([rule], first.state, {
      samples: [],
      services: [svc("web", "down")],
      now: T0 + 10_000,
    });
    expect(second.opened).toHaveLength(1);
  });

  it("leaves service findings alone when a report carries no service list", () => {
    const first = evaluate([serviceRule()], undefined, {
      samples: [],
      services: [svc("web", "down")],
      now: T0,
    });
    const backfill = evaluate([serviceRule()], first.state, { samples: series("cpu", [1]), now: T0 + 1000 });
    expect(backfill.cleared).toHaveLength(0);
    expect(backfill.active.map((f) => f.target)).toEqual(["web"]);
  });

  it("clears a finding whose service is no longer configured", () => {
    const first = evaluate([serviceRule()], undefined, {
      samples: [],
      services: [svc("web", "down")],
      now: T0,
    });
    const next = evaluate([serviceRule()], first.state, { samples: [], services: [], now: T0 + 1000 });
    expect(next.cleared).toEqual([
      { ruleId: "svc_test", target: "web", at: T0 + 1000, reason: "target_gone" },
    ]);
  });

  it("watches only the named service when the rule names one", () => {
    const rule = serviceRule({ service: "db" });
    const result = evaluate([rule], undefined, {
      samples: [],
      services: [svc("web", "down"), svc("db", "down")],
      now: T0,
    });
    expect(result.opened.map((f) => f.target)).toEqual(["db"]);
  });

  it("does not mutate the state it was given", () => {
    const first = evaluate([serviceRule()], undefined, {
      samples: [],
      services: [svc("web", "down")],
      now: T0,
    });
    const frozen = JSON.stringify(first.state);
    evaluate([serviceRule()], first.state, { samples: [], services: [svc("web", "up")], now: T0 + 1 });
    expect(JSON.stringify(first.state)).toBe(frozen);
  });
});
