/**
 * V8 settings for the long-running agent, applied by `run` before its loop starts (not by
 * `check`, nor in tests that import the modules).
 *
 * The agent does a few milliseconds of work per interval. Node's optimizing compiler (TurboFan)
 * still kicks in for its hottest functions, and the first time it does, several MB of the node
 * binary's compiler code become resident: bench:agent measured ~4 MB of RSS for it, and no more
 * CPU without it (0.2-0.3 % of a core at a 10 s interval either way). The bytecode interpreter is
 * plenty here, so the baseline compiler (Sparkplug) and Maglev (on by default from Node 22) are
 * off too. V8 reads these flags each time it decides whether to compile a function further, so
 * setting them at run time takes effect.
 *
 * The young generation starts at 1 MB and V8 doubles it while start-up allocates fast; it then
 * stays at 4-8 MB of resident pages for the life of the process, though the agent allocates a few
 * kB per interval. A growth factor of 1 keeps it at 1 MB (read at each growth decision, so it
 * works at run time, where --max-semi-space-size does not); the CLI sets it before the bundle's
 * modules build their schemas (v8-early.ts), as that is when it grows. Start-up's garbage (config parsing,
 * enrolment, the first report) then sits in the old generation until a major GC that a quiet
 * process may not see for minutes: one full GC a few seconds after start drops it.
 */
import v8 from "node:v8";
import vm from "node:vm";

export const V8_FLAGS = ["--no-turbofan", "--no-maglev", "--no-sparkplug"] as const;
export const EARLY_V8_FLAGS = ["--semi-space-growth-factor=1"] as const;

const on = (env: NodeJS.ProcessEnv) => env.SELFHEAL_V8_TUNING !== "off";

/** Imported first by the CLI (v8-early.ts), before any other module of the bundle runs. */
export function tuneV8Early(env: NodeJS.ProcessEnv = process.env): void {
  if (!on(env)) return;
  for (const flag of EARLY_V8_FLAGS) v8.setFlagsFromString(flag);
}

/** `SELFHEAL_V8_TUNING=off` keeps V8's defaults (an escape hatch, and the A/B for bench:agent). */
export function tuneV8ForAgent(env: NodeJS.ProcessEnv = process.env): void {
  if (!on(env)) return;
  for (const flag of V8_FLAGS) v8.setFlagsFromString(flag);
}

/** One full GC `delayMs` from now, once start-up is over; never keeps the process alive. */
export function settleHeapAfterStart(delayMs = 5_000, env: NodeJS.ProcessEnv = process.env): void {
  if (!on(env)) return;
  setTimeout(() => {
    // gc is exposed to contexts created after the flag is set; the main context keeps its globals
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    v8.setFlagsFromString("--no-expose-gc");
    gc();
  }, delayMs).unref();
}
