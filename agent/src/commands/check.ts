/**
 * `selfheal-agent check`: the seed's one-time health check. One sample (CPU over a short window),
 * the configured services, the default rules with durations ignored; no server involved.
 */
import {
  DEFAULT_THRESHOLDS,
  defaultRules,
  evaluate,
  type HealthStatus,
  healthScore,
  healthStatus,
} from "../../engine";
import type { ServiceState } from "../../protocol";
import { MetricsCollector } from "../collectors";
import type { AgentConfig } from "../config/schema";
import type { Logger } from "../log";
import { ServiceManager } from "../services";
import { statePaths } from "../state-dir";
import { isoTime, round2, sleep } from "../util";

export interface CheckIssue {
  rule: string;
  target: string;
  severity: string;
  summary: string;
  actions: string[];
}

export interface CheckReport {
  status: HealthStatus;
  healthScore: number | null;
  checkedAt: string;
  metrics: Record<string, number>;
  services: ServiceState[];
  issues: CheckIssue[];
}

export const CHECK_EXIT: Record<HealthStatus, number> = { healthy: 0, degraded: 1, critical: 2 };

export async function runHealthCheck(opts: {
  config?: AgentConfig;
  log?: Logger;
  collector?: MetricsCollector;
  windowMs?: number;
}): Promise<CheckReport> {
  const collector = opts.collector ?? new MetricsCollector(undefined, opts.log);
  // Services are looked at, never started: no state directory is created for a check.
  const manager = new ServiceManager(opts.config?.services ?? [], {
    paths: opts.config ? { ...statePaths(opts.config.stateDir), logs: "" } : undefined,
  });
  await collector.prime();
  const [, services] = await Promise.all([sleep(opts.windowMs ?? 500), manager.checkAll()]);
  const metrics = await collector.collect();
  const now = Date.now();
  const result = evaluate(defaultRules(DEFAULT_THRESHOLDS), undefined, {
    samples: [{ ts: now, metrics }],
    services,
    now,
    instant: true,
  });
  const score = healthScore(metrics, services);
  return {
    status: healthStatus(
      score,
      result.active.map((f) => f.severity),
    ),
    healthScore: score === null ? null : round2(score),
    checkedAt: isoTime(now),
    metrics,
    services,
    issues: result.active.map((f) => ({
      rule: f.ruleId,
      target: f.target,
      severity: f.severity,
      summary: f.summary,
      actions: f.actions,
    })),
  };
}

const units: Record<string, string> = { cpu: "%", memory: "%", swap: "%", disk: "%" };

function formatValue(name: string, v: number): string {
  if (name.startsWith("disk")) return `${v} %`;
  if (name.startsWith("net."))
    return v >= 1024 * 1024 ? `${round2(v / 1048576)} MB/s` : `${round2(v / 1024)} kB/s`;
  return units[name] ? `${v} ${units[name]}` : String(v);
}

export function formatCheck(r: CheckReport): string {
  const lines = [`Health: ${r.status} (score ${r.healthScore ?? "n/a"})`, "", "Metrics:"];
  const names = Object.keys(r.metrics).sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  for (const name of names) lines.push(`  ${name.padEnd(16)} ${formatValue(name, r.metrics[name])}`);
  if (r.services.length) {
    lines.push("", "Services:");
    for (const s of r.services)
      lines.push(
        `  ${s.name.padEnd(16)} ${s.status.padEnd(8)} ${s.kind.padEnd(8)} ${s.detail ?? ""}`.trimEnd(),
      );
  }
  lines.push("", `Issues: ${r.issues.length}`);
  for (const i of r.issues)
    lines.push(
      `  [${i.severity}] ${i.summary}${i.actions.length ? ` (actions: ${i.actions.join(", ")})` : ""}`,
    );
  return lines.join("\n");
}

const ORDER = ["cpu", "memory", "swap", "disk", "load1", "load5", "load15", "net.rx", "net.tx"];
const order = (name: string) => {
  const i = ORDER.indexOf(name);
  return i >= 0 ? i : name.startsWith("disk:") ? 3.5 : 99;
};
