import { describe, expect, it } from "vitest";
import {
  applySuggested,
  type Baseline,
  DEFAULT_THRESHOLDS,
  SUGGEST_MIN_SAMPLES,
  suggestThresholds,
} from "../../agent/engine";
import { learnBaseline } from "../../agent/engine/baseline";
import { T0 } from "./support/factories";

/** A baseline of `n` percent values spread evenly over [lo, hi]. */
function learned(lo: number, hi: number, n: number): Baseline {
  let b: Baseline = { bins: {}, total: 0, seen: 0, last: 0 };
  for (let i = 0; i < n; i++) b = learnBaseline(b, T0 + i * 30_000, lo + ((hi - lo) * (i % 100)) / 99, true);
  return b;
}

describe("suggested thresholds from the learned baseline", () => {
  it("puts the warning above the host's p99 of normal with headroom, and keeps the org's gap to critical", () => {
    const series = { cpu: { baseline: learned(5, 30, 1000) }, memory: { baseline: learned(60, 70, 1000) } };
    const s = suggestThresholds(series, DEFAULT_THRESHOLDS);
    expect(s.basis.cpu?.p99).toBeGreaterThanOrEqual(29.5);
    expect(s.basis.cpu?.p99).toBeLessThanOrEqual(30.5);
    expect(s.thresholds.cpu_warning).toBe(46); // ceil(30.5 + 15)
    expect(s.thresholds.cpu_critical).toBe(66); // the org's 20-point gap
    expect(s.thresholds.memory_warning).toBe(81);
    expect(s.thresholds.memory_critical).toBe(96);
    expect(s.basis.disk).toBeNull();
    expect(s.thresholds.disk_warning).toBeUndefined();
  });

  it("suggests nothing for a metric until its baseline has seen enough", () => {
    const s = suggestThresholds(
      { cpu: { baseline: learned(5, 30, SUGGEST_MIN_SAMPLES - 1) } },
      DEFAULT_THRESHOLDS,
    );
    expect(s.thresholds).toEqual({});
    expect(s.basis.cpu).toBeNull();
  });

  it("moves with the host: a busier host gets a higher bar", () => {
    const quiet = suggestThresholds({ cpu: { baseline: learned(5, 20, 1000) } }, DEFAULT_THRESHOLDS);
    const busy = suggestThresholds({ cpu: { baseline: learned(40, 70, 1000) } }, DEFAULT_THRESHOLDS);
    expect(busy.thresholds.cpu_warning ?? 0).toBeGreaterThan((quiet.thresholds.cpu_warning ?? 0) + 30);
  });

  it("auto mode applies them only within the org's bounds (default ±10 around its own)", () => {
    const suggested = { cpu_warning: 46, cpu_critical: 66, memory_warning: 81, memory_critical: 96 };
    const applied = applySuggested(DEFAULT_THRESHOLDS, suggested);
    expect(applied.cpu_warning).toBe(60); // 70 - 10
    expect(applied.cpu_critical).toBe(80);
    expect(applied.memory_warning).toBe(81);
    expect(applied.memory_critical).toBe(96);
    expect(applied.disk_warning).toBe(DEFAULT_THRESHOLDS.disk_warning);
    const wide = applySuggested(DEFAULT_THRESHOLDS, suggested, { cpu_warning: { min: 40, max: 90 } });
    expect(wide.cpu_warning).toBe(46);
    // never a warning above its critical, whatever the bounds allow
    const odd = applySuggested(
      DEFAULT_THRESHOLDS,
      { cpu_warning: 95 },
      { cpu_warning: { min: 0, max: 100 } },
    );
    expect(odd.cpu_warning).toBe(odd.cpu_critical);
  });
});
