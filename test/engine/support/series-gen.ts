/** Seeded PRNG (mulberry32) so every series is the same on every run. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n points `stepMs` apart (5 minutes unless told): f(i) plus uniform noise of the given amplitude. */
export function series(n: number, f: (i: number) => number, noise = 1, seed = 1, stepMs = 300_000) {
  const r = rng(seed);
  const ts = Array.from({ length: n }, (_, i) => i * stepMs);
  const values = ts.map((_, i) => f(i) + noise * (r() - 0.5) * 2);
  return { ts, values };
}

/** How many scores in [from, to) are at or above `alarm`. */
export const alarmsIn = (scores: ArrayLike<number>, alarm: number, from = 0, to = scores.length) =>
  Array.from(scores)
    .slice(from, to)
    .filter((s) => s >= alarm).length;
