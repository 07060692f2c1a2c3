/** Metrics whose values are already percents: growth is in points per hour, baselines use percent bins. */
export function isPercentMetric(name: string): boolean {
  return /^(cpu|memory|swap|disk)(:|$)/.test(name) || name.endsWith(".cpu") || name.endsWith(".pct");
}

/** The metrics of a sample a rule watches: the metric itself, or each match of a "*" pattern. */
export function matchMetrics(pattern: string, metrics: Record<string, number>): string[] {
  if (!pattern.includes("*")) return pattern in metrics ? [pattern] : [];
  return Object.keys(metrics).filter((m) => matchesMetric(pattern, m));
}

/** Each "*" pattern split at its "*" (head, tail): every report matches every rule against every name. */
const splits = new Map<string, readonly [string, string]>();

function splitPattern(pattern: string): readonly [string, string] {
  let parts = splits.get(pattern);
  if (!parts) {
    const [head, tail] = pattern.split("*", 2);
    parts = [head, tail] as const;
    if (splits.size >= 1000) splits.clear();
    splits.set(pattern, parts);
  }
  return parts;
}

/** Whether a rule's metric (a name or a "*" pattern) watches the metric `name`. */
export function matchesMetric(pattern: string, name: string): boolean {
  if (!pattern.includes("*")) return pattern === name;
  const [head, tail] = splitPattern(pattern);
  return name.length >= head.length + tail.length && name.startsWith(head) && name.endsWith(tail);
}
