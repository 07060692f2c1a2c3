import { describe, expect, it } from "vitest";
import { correlate, DEFAULT_THRESHOLDS, defaultRules, evaluate } from "../../agent/engine";
import { T0 } from "./support/factories";

const rules = defaultRules(DEFAULT_THRESHOLDS);
const at = (i: number) => T0 + i * 30_000;

describe("the built-in custom-check rules", () => {
  it("open a medium issue on WARNING and a high one on CRITICAL or UNKNOWN, each targeting the check's status", () => {
    const r = evaluate(rules, undefined, {
      samples: [
        { ts: at(0), metrics: { "check:disk.status": 1, "check:web.http.status": 2, "check:ntp.status": 3 } },
      ],
      now: at(0),
    });
    const got = r.opened.map((f) => [f.ruleId, f.target, f.severity]).sort();
    expect(got).toEqual([
      ["check_critical", "check:ntp.status", "high"],
      ["check_critical", "check:web.http.status", "high"],
      ["check_warning", "check:disk.status", "medium"],
      ["check_warning", "check:ntp.status", "medium"],
      ["check_warning", "check:web.http.status", "medium"],
    ]);
  });

  it("stay quiet on OK and clear as soon as the plugin is back to OK", () => {
    const first = evaluate(rules, undefined, {
      samples: [{ ts: at(0), metrics: { "check:disk.status": 0, "check:web.status": 2 } }],
      now: at(0),
    });
    expect(first.opened.map((f) => f.target)).toEqual(["check:web.status", "check:web.status"]);
    const warn = evaluate(rules, first.state, {
      samples: [{ ts: at(1), metrics: { "check:disk.status": 0, "check:web.status": 1 } }],
      now: at(1),
    });
    expect(warn.cleared.map((c) => c.ruleId)).toEqual(["check_critical"]);
    const ok = evaluate(rules, warn.state, {
      samples: [{ ts: at(2), metrics: { "check:disk.status": 0, "check:web.status": 0 } }],
      now: at(2),
    });
    expect(ok.cleared.map((c) => c.ruleId)).toEqual(["check_warning"]);
    expect(ok.active).toEqual([]);
  });

  it("group a check naming service web with web's own issues, the service being the probable cause", () => {
    const r = evaluate(rules, undefined, {
      samples: [{ ts: at(0), metrics: { "check:web.http.status": 2 } }],
      services: [{ name: "web", status: "down" }],
      now: at(0),
    });
    const incidents = correlate(r.active);
    expect(incidents).toHaveLength(1);
    expect(incidents[0].cause.ruleId).toBe("service_down");
    expect(incidents[0].symptoms.map((f) => f.ruleId).sort()).toEqual(["check_critical", "check_warning"]);
  });
});
