import type { Finding, Severity } from "./types";

/** Symptoms on one host that share a resource, grouped, with the most specific one as probable cause. */
export interface Incident {
  /** `${ruleId}|${target}` of the cause */
  key: string;
  cause: Finding;
  symptoms: Finding[];
  summary: string;
}

const findingKey = (f: Finding) => `${f.ruleId}|${f.target}`;

/** The resources a finding speaks about: a service, memory, disk, cpu, network, or its own metric. */
export function familiesOf(f: Finding): string[] {
  if (f.evidence.service) return [`service:${f.evidence.service}`];
  const metric = f.evidence.metric ?? "";
  const families: string[] = [];
  const svc = /^(?:svc|check):([^.]+)(?:\.(.+))?$/.exec(metric);
  if (svc) families.push(`service:${svc[1]}`);
  const leaf = svc ? (svc[2] ?? "") : metric;
  if (/^(memory|swap)$|^rss$|^mem/.test(leaf)) families.push("memory");
  else if (/^disk(:|$)/.test(leaf)) families.push("disk");
  else if (/^(cpu|load\d*)$/.test(leaf)) families.push("cpu");
  else if (/^net\./.test(leaf)) families.push("network");
  if (families.length === 0) families.push(`metric:${metric}`);
  return families;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

/**
 * How likely a finding is to be the cause rather than a symptom: a process leaking or growing
 * explains host-wide pressure; a service down explains its failing checks; a trend explains the
 * threshold it is heading for.
 */
function causeRank(f: Finding): number {
  const metric = f.evidence.metric ?? "";
  const processLevel = /^(svc|check):/.test(metric);
  if (processLevel && f.evidence.extra?.ratePerHour !== undefined) return 50;
  if (f.evidence.service) return 40;
  if (processLevel) return 30;
  if (f.evidence.extra?.ratePerHour !== undefined || f.evidence.extra?.etaSeconds !== undefined) return 20;
  return 10;
}

function better(a: Finding, b: Finding): Finding {
  const byRank = causeRank(a) - causeRank(b);
  if (byRank !== 0) return byRank > 0 ? a : b;
  const bySeverity = SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
  if (bySeverity !== 0) return bySeverity > 0 ? a : b;
  // Only the cause is acted on, so between equals the one that names an action is the cause.
  const acts = Number(a.actions.length > 0) - Number(b.actions.length > 0);
  if (acts !== 0) return acts > 0 ? a : b;
  // A rule the org wrote says more about what it wants than the built-in beside it.
  const custom = Number(!a.builtin) - Number(!b.builtin);
  if (custom !== 0) return custom > 0 ? a : b;
  return a.at <= b.at ? a : b;
}

/** Groups one host's active findings into incidents (union of findings sharing a resource). */
export function correlate(findings: Finding[]): Incident[] {
  const parent = findings.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i];
    return i;
  };
  const owner = new Map<string, number>();
  findings.forEach((f, i) => {
    for (const family of familiesOf(f)) {
      const j = owner.get(family);
      if (j === undefined) owner.set(family, i);
      else parent[root(i)] = root(j);
    }
  });
  const groups = new Map<number, Finding[]>();
  findings.forEach((f, i) => {
    const r = root(i);
    groups.set(r, [...(groups.get(r) ?? []), f]);
  });
  return [...groups.values()].map((group) => {
    const cause = group.reduce(better);
    const symptoms = group.filter((f) => f !== cause);
    const more = symptoms.length
      ? ` (+${symptoms.length} related symptom${symptoms.length > 1 ? "s" : ""})`
      : "";
    return { key: findingKey(cause), cause, symptoms, summary: `Probable cause: ${cause.summary}${more}` };
  });
}
