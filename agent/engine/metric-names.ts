/** Metrics whose values are already percents: growth is in points per hour, baselines use percent bins. */
export function isPercentMetric(name: string): boolean {
  return /^(cpu|memory|swap|disk)(:|$)/.test(name) || name.endsWith(".cpu") || name.endsWith(".pct");
}

/** The metrics of a sample a rule watches: the metric itself, or each match of a "*" pattern. */
export function matchMetrics(pattern: string, metrics: Record<string, number>): string[] {
  if (!pattern.includes("*")) return pattern in metrics ? [pattern] : [];
  const [head, tail] = pattern.split("*", 2);
  return Object.keys(metrics).filter(
    (m) => m.length >= head.length + tail.length && m.startsWith(head) && m.endsWith(tail),
  );
}
