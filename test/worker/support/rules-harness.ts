/** Helpers for the rules, diagnostics and backtest tests (on top of harness.ts). */
import type { z } from "zod";
import type { RuleViewSchema } from "../../../worker/schemas/rules";
import { call, json, type Tenant } from "./harness";

export const MIN = 60_000;

export type RuleView = z.infer<typeof RuleViewSchema>;

export const listRules = async (t: Tenant) =>
  (await json<{ items: RuleView[] }>("/api/v1/rules", { token: t.admin })).items;

export const createRules = async (t: Tenant, body: unknown) =>
  (await json<{ items: RuleView[] }>("/api/v1/rules", { token: t.admin, body }, 201)).items;

export const postRules = (t: Tenant, body: unknown) => call("/api/v1/rules", { token: t.admin, body });

/** A camelCase rule with sensible defaults for the fields a test does not care about. */
export function rule(overrides: Record<string, unknown> = {}) {
  return {
    id: "cpu_hot",
    name: "CPU hot",
    kind: "threshold",
    metric: "cpu",
    threshold: 90,
    durationSeconds: 0,
    severity: "high",
    actions: [],
    ...overrides,
  };
}

/** One sample a minute from `start`, the metrics of sample i from f(i). */
export function minutes(count: number, f: (i: number) => Record<string, number>, start: number) {
  return Array.from({ length: count }, (_, i) => ({
    ts: new Date(start + i * MIN).toISOString(),
    metrics: f(i),
  }));
}

/** A deterministic noise source in [-0.5, 0.5). */
export function noise(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296 - 0.5;
  };
}

/** Paths named by a 400's field issues. */
export async function badFields(res: Response): Promise<string[]> {
  const body = (await res.json()) as { error: { code: string; issues?: { path: string }[] } };
  if (res.status !== 400) throw new Error(`expected 400, got ${res.status}: ${JSON.stringify(body)}`);
  return (body.error.issues ?? []).map((i) => i.path);
}
