/**
 * Targets for recovery actions, resolved at plan time from the host's newest report. A service
 * finding acts on its service; a host-wide finding (memory, cpu, a mount) names no target, so
 * each action's target comes from the rule (`target: {service: "web"}`), from the rule's
 * selector, or from the selector that fits the finding's metric:
 * - a mount (disk, disk:<mount>) → the configured caches on that mount, largest first;
 * - memory → the service with the largest RSS (the fastest-growing one for a growth rule), and
 *   for caches, those on memory-backed filesystems (tmpfs, ramfs);
 * - cpu or load → the service using the most CPU.
 * An action that needs a target and gets none is skipped with its reason, never sent to be refused.
 */
import { fitTrend } from "./trend";
import type { Metrics, Rule, SeriesState } from "./types";

export type TargetKind = "service" | "cache" | "config" | "script";

/** What each agent action's target names (null: it takes none). Anything else is not an agent action. */
export const ACTION_TARGETS: Readonly<Record<string, TargetKind | null>> = {
  restart_service: "service",
  force_restart: "service",
  stop_service: "service",
  clear_cache: "cache",
  reset_config: "config",
  validate_config: "config",
  bless_config: "config",
  run_script: "script",
  emergency_backup: null,
  lockdown: null,
  unlock: null,
  emergency_shutdown: null,
  health_check: null,
};

export const SELECTORS = ["mount_caches", "largest_rss", "fastest_rss_growth", "top_cpu"] as const;
export type Selector = (typeof SELECTORS)[number];
const SELECTOR_KIND: Record<Selector, TargetKind> = {
  mount_caches: "cache",
  largest_rss: "service",
  fastest_rss_growth: "service",
  top_cpu: "service",
};

/** A rule's own target: a name per kind, and a selector for the kind it picks. */
export interface RuleTarget {
  service?: string;
  cache?: string;
  config?: string;
  script?: string;
  select?: Selector;
}

/** A configured cache as the agent reports it: where it lives and how big it is. */
export interface CacheFact {
  name: string;
  /** The mount point holding it. */
  mount: string;
  fsType?: string;
  bytes?: number;
}

/** What the selectors read: the host's newest metrics, its caches and the engine's trends. */
export interface TargetFacts {
  metrics: Metrics;
  caches?: CacheFact[];
  series?: Record<string, SeriesState>;
}

/** The finding as the planner holds it (an issue row): its target and metric. */
export interface FindingRef {
  /** "" for host-wide rules, the metric for pattern rules (disk:/var), the service for service rules. */
  target: string;
  metric?: string;
  /** Whether it came from a service rule (its target is the service). */
  service?: boolean;
}

export type Resolution =
  | { action: string; target: string | null; why: string }
  | { action: string; skipped: string };

type RuleLike = Pick<Rule, "kind" | "threshold" | "op"> & { target?: RuleTarget };

/** Resolves one action's target; a webhook or unknown action takes the finding's own target. */
export function resolveTarget(
  rule: RuleLike | undefined,
  finding: FindingRef,
  action: string,
  facts: TargetFacts,
): Resolution {
  const kind = ACTION_TARGETS[action];
  if (kind === null) return { action, target: null, why: `${action} takes no target` };
  if (kind === undefined) {
    // Edge actions: the receiver gets the service the finding points at, when there is one.
    const svc = pick(rule, finding, "service", facts);
    const target = "target" in svc ? svc.target : ownTarget(finding);
    return { action, target, why: "target" in svc ? svc.why : "the finding's own target" };
  }
  const found = pick(rule, finding, kind, facts);
  return "target" in found
    ? { action, target: found.target, why: found.why }
    : { action, skipped: `${action} needs a ${kind}: ${found.none}` };
}

type Picked = { target: string; why: string } | { none: string };

function pick(rule: RuleLike | undefined, finding: FindingRef, kind: TargetKind, facts: TargetFacts): Picked {
  const named = rule?.target?.[kind];
  if (named) return { target: named, why: `${kind} ${named}, named by the rule` };
  const own = ownOfKind(finding, kind);
  if (own) return { target: own, why: `the finding is on ${kind} ${own}` };
  const chosen = rule?.target?.select;
  const selector = chosen && SELECTOR_KIND[chosen] === kind ? chosen : autoSelector(rule, finding, kind);
  if (!selector) return { none: `a finding on ${finding.metric || finding.target || "the host"} names none` };
  return SELECT[selector](finding, facts, rule);
}

/** The finding's own target as a command target: svc:web.rss → web, config:app.drift → app. */
export function ownTarget(finding: FindingRef): string | null {
  return /^(?:svc|config|check):([^.]+)\./.exec(finding.target)?.[1] ?? (finding.target || null);
}

function ownOfKind(finding: FindingRef, kind: TargetKind): string | undefined {
  if (finding.service) return kind === "service" ? finding.target : undefined;
  const m = /^(svc|check|config):([^.]+)\./.exec(finding.target || finding.metric || "");
  if (!m) return undefined;
  const of = m[1] === "config" ? "config" : "service";
  return of === kind ? m[2] : undefined;
}

const metricOf = (f: FindingRef) => f.metric || f.target;
const isMount = (metric: string) => metric === "disk" || metric.startsWith("disk:");
const isMemory = (metric: string) => metric === "memory" || metric === "swap";
const isCpu = (metric: string) => metric === "cpu" || /^load\d+$/.test(metric);

function autoSelector(rule: RuleLike | undefined, f: FindingRef, kind: TargetKind): Selector | undefined {
  const metric = metricOf(f);
  if (kind === "cache") return isMount(metric) || isMemory(metric) ? "mount_caches" : undefined;
  if (kind !== "service") return undefined;
  if (isMemory(metric)) return rule?.kind === "growth" ? "fastest_rss_growth" : "largest_rss";
  return isCpu(metric) ? "top_cpu" : undefined;
}

const SELECT: Record<Selector, (f: FindingRef, facts: TargetFacts, rule?: RuleLike) => Picked> = {
  mount_caches: mountCaches,
  largest_rss: (_f, facts) => topService(facts, "rss", "the largest RSS"),
  top_cpu: (_f, facts) => topService(facts, "cpu", "the most CPU"),
  fastest_rss_growth: fastestGrowth,
};

/** Per service, the value of svc:<name>.<what> in the newest metrics. */
function serviceValues(facts: TargetFacts, what: "rss" | "cpu"): [string, number][] {
  const out: [string, number][] = [];
  for (const [metric, value] of Object.entries(facts.metrics)) {
    const m = /^svc:(.+)\.(rss|cpu)$/.exec(metric);
    if (m && m[2] === what && Number.isFinite(value)) out.push([m[1], value]);
  }
  return out.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

function topService(facts: TargetFacts, what: "rss" | "cpu", using: string): Picked {
  const ranked = serviceValues(facts, what);
  if (!ranked.length) return { none: `no service reports its ${what === "rss" ? "RSS" : "CPU"}` };
  const [name, value] = ranked[0];
  const shown = what === "rss" ? bytesText(value) : `${round(value)} % CPU`;
  return { target: name, why: `service ${name} uses ${using} (${shown})${others(ranked, what)}` };
}

function fastestGrowth(_f: FindingRef, facts: TargetFacts): Picked {
  const rates: [string, number][] = [];
  for (const [name] of serviceValues(facts, "rss")) {
    const trend = facts.series?.[`svc:${name}.rss`]?.trend;
    const fit = trend && fitTrend(trend, 3);
    if (fit) rates.push([name, fit.slopePerHour]);
  }
  rates.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (!rates.length || rates[0][1] <= 0) {
    const fallback = topService(facts, "rss", "the largest RSS");
    return "target" in fallback
      ? { ...fallback, why: `no service's RSS is growing yet: ${fallback.why}` }
      : fallback;
  }
  const [name, rate] = rates[0];
  const rest = rates.slice(1, 3).map(([n, r]) => `${n} ${bytesText(r)}/h`);
  const tail = rest.length ? `; next: ${rest.join(", ")}` : "";
  return { target: name, why: `service ${name} grows fastest (${bytesText(rate)}/h)${tail}` };
}

/**
 * The caches on the finding's mount (disk:<mount>), on every mount past the rule's threshold (the
 * host-wide disk), or on memory-backed filesystems (memory), largest first.
 */
function mountCaches(f: FindingRef, facts: TargetFacts, rule?: RuleLike): Picked {
  const caches = facts.caches;
  if (!caches) return { none: "the agent has not reported its caches" };
  const metric = metricOf(f);
  let where: string;
  let on: (c: CacheFact) => boolean;
  if (isMemory(metric)) {
    where = "a memory-backed filesystem (tmpfs, ramfs)";
    on = (c) => c.fsType === "tmpfs" || c.fsType === "ramfs";
  } else if (metric.startsWith("disk:")) {
    const mount = metric.slice("disk:".length);
    where = mount;
    on = (c) => c.mount === mount;
  } else {
    const mounts = fullMounts(facts.metrics, rule);
    where = mounts.length ? mounts.join(", ") : "the fullest mount";
    on = (c) => mounts.includes(c.mount);
  }
  const ranked = caches.filter(on).sort((a, b) => (b.bytes ?? -1) - (a.bytes ?? -1));
  if (!ranked.length) return { none: `no configured cache on ${where}` };
  const [first] = ranked;
  const size = first.bytes === undefined ? "size not measured yet" : bytesText(first.bytes);
  const rest = ranked.slice(1).map((c) => `${c.name} ${c.bytes === undefined ? "?" : bytesText(c.bytes)}`);
  const of = ranked.length > 1 ? `the largest of ${ranked.length} caches` : "the only cache";
  return {
    target: first.name,
    why: `cache ${first.name} (${size}) is ${of} on ${first.mount}${rest.length ? `; then ${rest.join(", ")}` : ""}`,
  };
}

/** Mounts whose disk:<mount> is past the rule's threshold, fullest first; else the fullest one. */
function fullMounts(metrics: Metrics, rule?: RuleLike): string[] {
  const mounts = Object.entries(metrics)
    .filter(([m, v]) => m.startsWith("disk:") && Number.isFinite(v))
    .map(([m, v]): [string, number] => [m.slice("disk:".length), v])
    .sort((a, b) => b[1] - a[1]);
  const limit = rule?.threshold;
  const past =
    limit === undefined
      ? []
      : mounts.filter(([, v]) => ((rule?.op ?? "above") === "above" ? v > limit : v < limit));
  return (past.length ? past : mounts.slice(0, 1)).map(([m]) => m);
}

function others(ranked: [string, number][], what: "rss" | "cpu"): string {
  const rest = ranked.slice(1, 3).map(([n, v]) => `${n} ${what === "rss" ? bytesText(v) : `${round(v)} %`}`);
  return rest.length ? `; next: ${rest.join(", ")}` : "";
}

const round = (v: number) => Math.round(v * 10) / 10;

export function bytesText(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${bytes < 0 ? "-" : ""}${i ? v.toFixed(1) : v} ${units[i]}`;
}
