import { describe, expect, it } from "vitest";
import { matchesMetric, matchMetrics } from "../../agent/engine/metric-names";

const names = [
  "cpu",
  "cpu2",
  "disk:/",
  "disk:/var",
  "disk",
  "svc:web.rss",
  "svc:web.cpu",
  "svc:.rss",
  "x.rss",
];
const patterns = ["cpu", "disk:*", "svc:*.rss", "*", "*.rss", "svc:*", "a*b*c", "", "disk"];

describe("matching a rule's metric against one name", () => {
  it("agrees with matching it against a sample's names", () => {
    const sample = Object.fromEntries(names.map((n) => [n, 1]));
    for (const pattern of patterns)
      expect(names.filter((n) => matchesMetric(pattern, n))).toEqual(matchMetrics(pattern, sample));
  });

  it("matches a pattern's head and tail without letting them overlap", () => {
    expect(matchesMetric("svc:*.rss", "svc:web.rss")).toBe(true);
    expect(matchesMetric("svc:*.rss", "svc:.rss")).toBe(true);
    expect(matchesMetric("ab*ba", "aba")).toBe(false);
    expect(matchesMetric("cpu", "cpu2")).toBe(false);
  });
});
