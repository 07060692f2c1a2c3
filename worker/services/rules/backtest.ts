import { type EngineSample, evaluate, matchMetrics, type Rule } from "../../../agent/engine";
import type { Db } from "../../db/client";
import { hosts } from "../../db/schema";
import type { Env } from "../../env";
import { ApiError, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { BACKTEST_MAX_SAMPLES } from "../../schemas/rules";
import { parseRuleBody } from "../../schemas/seed-rules";
import { readSeries } from "../fleet/host-history";
import { hostRef } from "../fleet/host-ref";

/** A Worker request has little memory and CPU: the history read is capped, and the answer says so. */

export interface BacktestInput {
  rule: unknown;
  host: string;
  from?: string;
  to?: string;
}

interface Firing {
  target: string | null;
  openedAt: string;
  clearedAt: string | null;
  durationSeconds: number;
  peak: number | null;
  summary: string;
}

/** The rule in either shape (a camelCase rule may leave out its id here); errors name `rule.…`. */
function ruleOf(input: unknown): Rule {
  const body = input as Record<string, unknown> | null;
  const withId =
    body && typeof body === "object" && "kind" in body && !("id" in body)
      ? { ...body, id: "backtest" }
      : input;
  let parsed: Rule[];
  try {
    parsed = parseRuleBody(withId);
  } catch (err) {
    if (!(err instanceof ApiError) || !err.issues) throw err;
    const issues = err.issues.map((i) => ({ ...i, path: `rule.${i.path}` }));
    throw new ApiError(
      "BAD_REQUEST",
      `invalid rule: ${[...new Set(issues.map((i) => i.path))].join(", ")}`,
      issues,
    );
  }
  if (parsed.length !== 1)
    throw new ApiError("BAD_REQUEST", "backtest one rule at a time", [
      { path: "rule", message: "give exactly one rule" },
    ]);
  const rule = parsed[0];
  if (rule.kind === "service")
    throw new ApiError("BAD_REQUEST", "service rules cannot be backtested: no service history is kept", [
      { path: "rule.kind", message: "service rules cannot be backtested (no service history is kept)" },
    ]);
  return { ...rule, enabled: true };
}

export async function backtest(db: Db, env: Pick<Env, "HOST">, orgId: string, input: BacktestInput) {
  const rule = ruleOf(input.rule);
  const [host] = await db.select({ id: hosts.id }).from(hosts).where(hostRef(orgId, input.host)).limit(1);
  if (!host) throw notFound("host");
  // the host's raw history, through its object (services/fleet/host-history.ts)
  const rows = await readSeries(env, db, orgId, host.id, "raw", {
    from: input.from ? Date.parse(input.from) : 0,
    to: input.to ? Date.parse(input.to) : undefined,
    limit: BACKTEST_MAX_SAMPLES + 1,
  });
  const truncated = rows.length > BACKTEST_MAX_SAMPLES;
  const samples: EngineSample[] = rows
    .slice(0, BACKTEST_MAX_SAMPLES)
    .map((r) => ({ ts: Date.parse(r.ts), metrics: r.metrics }));
  const first = samples[0]?.ts;
  const last = samples.at(-1)?.ts;
  const firings = last === undefined ? [] : firingsOf(rule, samples, last);
  const coverage = metricCoverage(rule, samples);
  return {
    rule: rule.id,
    samples: samples.length,
    ...coverage,
    from: first === undefined ? null : iso(first),
    to: last === undefined ? null : iso(last),
    truncated,
    firings,
    totalFiringSeconds: firings.reduce((sum, f) => sum + f.durationSeconds, 0),
  };
}

function firingsOf(rule: Rule, samples: EngineSample[], last: number): Firing[] {
  const result = evaluate([rule], undefined, { samples, now: last });
  type Event = { at: number; target: string; summary?: string };
  const events: Event[] = [
    ...result.opened.map((f): Event => ({ at: f.at, target: f.target, summary: f.summary })),
    ...result.cleared.map((c): Event => ({ at: c.at, target: c.target })),
  ].sort((a, b) => a.at - b.at || Number(a.summary === undefined) - Number(b.summary === undefined));

  const open = new Map<string, { at: number; summary: string }>();
  const spans: { target: string; at: number; until: number | null; summary: string }[] = [];
  for (const e of events) {
    const current = open.get(e.target);
    if (e.summary !== undefined && !current) open.set(e.target, { at: e.at, summary: e.summary });
    else if (e.summary === undefined && current) {
      spans.push({ target: e.target, at: current.at, until: e.at, summary: current.summary });
      open.delete(e.target);
    }
  }
  for (const [target, o] of open) spans.push({ target, at: o.at, until: null, summary: o.summary });
  spans.sort((a, b) => a.at - b.at);

  const below = (rule.op ?? "above") === "below";
  return spans.map((s) => {
    const metric = s.target || rule.metric || "";
    const end = s.until ?? last;
    const values = samples
      .filter((x) => x.ts >= s.at && x.ts <= end && Number.isFinite(x.metrics[metric]))
      .map((x) => x.metrics[metric]);
    return {
      target: s.target || null,
      openedAt: iso(s.at),
      clearedAt: s.until === null ? null : iso(s.until),
      durationSeconds: Math.round((end - s.at) / 1000),
      peak: values.length ? values.reduce((m, v) => (below ? Math.min(m, v) : Math.max(m, v))) : null,
      summary: s.summary,
    };
  });
}

/**
 * How many of the samples carry the rule's metric (a pattern with * counts any match). "Fired 0
 * times" over samples that never had the metric says nothing about the rule: the answer says so,
 * with the names the host does report.
 */
function metricCoverage(rule: Rule, samples: EngineSample[]) {
  const pattern = rule.metric;
  if (!pattern) return { metricSamples: samples.length, warning: null };
  const metricSamples = samples.filter((s) => matchMetrics(pattern, s.metrics).length > 0).length;
  if (metricSamples > 0 || samples.length === 0)
    return {
      metricSamples,
      warning: samples.length === 0 ? "the host has no stored samples in this range" : null,
    };
  const reported = Object.keys(samples.at(-1)?.metrics ?? {}).sort();
  const shown = reported.slice(0, 12).join(", ") + (reported.length > 12 ? ", …" : "");
  return {
    metricSamples,
    warning: `no sample in this range has the metric ${pattern}: this host reports ${shown || "no metrics"}`,
  };
}
