/**
 * Learned ordering of a rule's actions (which actions need approval: safeguards.ts).
 * Pure: plain data in, plain data out.
 */

/** Finished attempts and verified successes, keyed `${ruleId}|${action}`. */
export type ActionStats = Map<string, { attempts: number; succeeded: number }>;

/** Below this many finished attempts an action keeps the rule's place (the prior, 0.5). */
export const MIN_ATTEMPTS = 3;

/** Laplace-smoothed success probability: (s + 1) / (n + 2). */
export const successProbability = (succeeded: number, attempts: number) => (succeeded + 1) / (attempts + 2);

/**
 * The order the next attempt picks from: actions already tried, in the order they ran (so the
 * engine's attempt n keeps meaning the same action), then the rest by learned success, highest
 * first. Ties and actions with too little data keep the rule's order (the sort is stable).
 */
export function orderActions(
  ruleId: string,
  actions: string[],
  tried: string[],
  stats: ActionStats,
): string[] {
  const score = (action: string) => {
    const s = stats.get(`${ruleId}|${action}`);
    return s && s.attempts >= MIN_ATTEMPTS ? successProbability(s.succeeded, s.attempts) : 0.5;
  };
  const done = [...new Set(tried)].filter((a) => actions.includes(a));
  const rest = [...actions];
  for (const a of done) rest.splice(rest.indexOf(a), 1);
  const ranked = rest.map((a, i) => ({ a, i, p: score(a) })).sort((x, y) => y.p - x.p || x.i - y.i);
  return [...done, ...ranked.map((r) => r.a)];
}
