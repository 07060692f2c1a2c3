import type { EngineSample, EngineService, Rule } from "../../../agent/engine";

export const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);

/** Samples of one metric, `stepSeconds` apart, starting at `start`. */
export function series(metric: string, values: number[], stepSeconds = 10, start = T0): EngineSample[] {
  return values.map((value, i) => ({ ts: start + i * stepSeconds * 1000, metrics: { [metric]: value } }));
}

export function thresholdRule(overrides: Partial<Rule> = {}): Rule {
  return {
    id: "cpu_test",
    name: "CPU test",
    kind: "threshold",
    metric: "cpu",
    op: "above",
    threshold: 90,
    durationSeconds: 30,
    severity: "high",
    actions: ["restart_service"],
    enabled: true,
    ...overrides,
  };
}

export function serviceRule(overrides: Partial<Rule> = {}): Rule {
  return {
    id: "svc_test",
    name: "Service down",
    kind: "service",
    service: "*",
    durationSeconds: 0,
    severity: "high",
    actions: ["restart_service"],
    enabled: true,
    ...overrides,
  };
}

export const svc = (name: string, status: EngineService["status"], extra: Partial<EngineService> = {}) => ({
  name,
  status,
  ...extra,
});
