import { diagnosticRules } from "./diagnostics";
import type { AlertThresholds, Rule } from "./types";

export { DEFAULT_THRESHOLDS } from "./thresholds";

// Built-in rules clear a few points below their threshold, so a value hovering on the line does
// not open and close an issue every interval.
const CPU_MEM_HYSTERESIS = 5;
const DISK_HYSTERESIS = 2;

function metricRule(
  id: string,
  name: string,
  metric: string,
  threshold: number,
  hysteresis: number,
  durationSeconds: number,
  severity: Rule["severity"],
  actions: string[] = [],
): Rule {
  return {
    id,
    name,
    kind: "threshold",
    metric,
    op: "above",
    threshold,
    clearThreshold: Math.max(0, threshold - hysteresis),
    durationSeconds,
    severity,
    // A host-wide finding names no target: an action here gets one from the report at plan time
    // (targets.ts) or is skipped, so a rule without a fitting target only notifies.
    actions,
    enabled: true,
    builtin: true,
  };
}

const HOUR = 3600;

/**
 * Predictive built-ins: they warn before a threshold is crossed, so they notify (medium) rather
 * than act; a leaking process is high and is restarted (its own service is the target).
 */
const PREDICTIVE_RULES: Rule[] = [
  {
    id: "disk_filling",
    name: "Disk filling",
    kind: "forecast",
    metric: "disk:*",
    limit: 100,
    horizonSeconds: 6 * HOUR,
    windowSeconds: 2 * HOUR,
    durationSeconds: 0,
    severity: "medium",
    actions: [],
    enabled: true,
    builtin: true,
  },
  {
    id: "memory_exhaustion_forecast",
    name: "Memory running out",
    kind: "forecast",
    metric: "memory",
    limit: 100,
    horizonSeconds: HOUR,
    windowSeconds: HOUR,
    durationSeconds: 0,
    severity: "medium",
    actions: [],
    enabled: true,
    builtin: true,
  },
  {
    id: "process_memory_leak",
    name: "Process memory leak",
    kind: "growth",
    metric: "svc:*.rss",
    growthRate: 5,
    windowSeconds: HOUR,
    durationSeconds: 0,
    severity: "high",
    actions: ["restart_service"],
    enabled: true,
    builtin: true,
  },
];

/**
 * The rules every host gets, derived from the org's thresholds. Durations follow the seed's
 * cpu_spike (5 minutes); memory and disk exhaustion are given less time because they end in
 * crashes rather than slowness. `diagnostics` (the org's enable_ai_diagnostics) adds the
 * built-in baseline and anomaly rules (diagnostics.ts).
 */
export function defaultRules(t: AlertThresholds, opts: { diagnostics?: boolean } = {}): Rule[] {
  return [
    metricRule("cpu_warning", "CPU above warning", "cpu", t.cpu_warning, CPU_MEM_HYSTERESIS, 300, "medium"),
    metricRule("cpu_spike", "CPU spike", "cpu", t.cpu_critical, CPU_MEM_HYSTERESIS, 300, "high"),
    metricRule(
      "memory_warning",
      "Memory above warning",
      "memory",
      t.memory_warning,
      CPU_MEM_HYSTERESIS,
      300,
      "medium",
    ),
    metricRule(
      "memory_critical",
      "Memory exhaustion",
      "memory",
      t.memory_critical,
      CPU_MEM_HYSTERESIS,
      60,
      "critical",
      // the service with the largest RSS (targets.ts)
      ["restart_service"],
    ),
    metricRule("disk_warning", "Disk above warning", "disk", t.disk_warning, DISK_HYSTERESIS, 60, "medium"),
    // the configured caches on the full mount, largest first; no cache there: notify only
    metricRule("disk_critical", "Disk nearly full", "disk", t.disk_critical, DISK_HYSTERESIS, 0, "critical", [
      "clear_cache",
    ]),
    ...PREDICTIVE_RULES.map((r) => ({ ...r, actions: [...r.actions] })),
    // Certificates the agent checks (tls:<name>.days): a warning two weeks before expiry.
    {
      id: "tls_expiry",
      name: "TLS certificate near expiry",
      kind: "threshold",
      metric: "tls:*.days",
      op: "below",
      threshold: 14,
      durationSeconds: 0,
      severity: "medium",
      actions: [],
      enabled: true,
      builtin: true,
    },
    // A watched config file no longer matches its last good snapshot (config:<name>.drift = 1):
    // check it first, then put the snapshot back (approval in the production profile).
    {
      id: "config_drift",
      name: "Config drift",
      kind: "threshold",
      metric: "config:*.drift",
      op: "above",
      threshold: 0,
      clearThreshold: 0,
      durationSeconds: 0,
      severity: "medium",
      actions: ["validate_config", "reset_config"],
      enabled: true,
      builtin: true,
    },
    // Custom checks (check:<name>.status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). They notify;
    // a custom rule on check:<service>.*.status names the action (the check's service is its target).
    checkStatusRule("check_warning", "Check warning", 0, "medium"),
    checkStatusRule("check_critical", "Check critical", 1, "high"),
    {
      id: "service_down",
      name: "Service down",
      kind: "service",
      service: "*",
      durationSeconds: 0,
      severity: "high",
      actions: ["restart_service"],
      enabled: true,
      builtin: true,
    },
    ...(opts.diagnostics ? diagnosticRules() : []),
  ];
}

/** Above `threshold` opens, back at or below it clears: no hysteresis, a plugin's status is a step. */
function checkStatusRule(id: string, name: string, threshold: number, severity: Rule["severity"]): Rule {
  return {
    id,
    name,
    kind: "threshold",
    metric: "check:*.status",
    op: "above",
    threshold,
    clearThreshold: threshold,
    durationSeconds: 0,
    severity,
    actions: [],
    enabled: true,
    builtin: true,
  };
}
