/**
 * The configured logs as metrics: for each pattern, `log:<name>.<metric>` (matches since the
 * previous sample) and `log:<name>.<metric>_per_min` (the same as a rate), so a plain threshold
 * rule on `log:app.errors_per_min` above 20 reads "more than 20 errors a minute".
 */
import type { Collector, Metrics } from "../collectors/types";
import type { LogDef } from "../config/checks";
import { FileFollower } from "./follow";
import { LineCounter } from "./patterns";

export function logsCollector(logs: LogDef[], now: () => number = Date.now): Collector {
  const followed = logs.map((l) => ({
    def: l,
    follower: new FileFollower(l.path),
    counter: new LineCounter(l.patterns, l.builtin),
  }));
  let last: number | undefined;
  const prime = async () => {
    if (last !== undefined) return;
    last = now();
    await Promise.all(followed.map((f) => f.follower.prime()));
  };
  return {
    name: "logs",
    prime,
    async collect(): Promise<Metrics> {
      if (last === undefined) await prime();
      const at = now();
      const minutes = Math.max(1, at - (last as number)) / 60_000;
      last = at;
      const metrics: Metrics = {};
      for (const f of followed) {
        // one unreadable file costs its own counts, not the others' (and is tried again next time)
        await f.follower.poll((line) => f.counter.line(line)).catch(() => undefined);
        for (const [k, n] of Object.entries(f.counter.take())) {
          metrics[`log:${f.def.name}.${k}`] = n;
          metrics[`log:${f.def.name}.${k}_per_min`] = Math.round((n / minutes) * 100) / 100;
        }
      }
      return metrics;
    },
  };
}
