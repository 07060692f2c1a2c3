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
 * setting them at run time takes effect. Flags V8 reads only at start (--lite-mode, which also
 * implies all of these) are the launcher's: agent/bin/start-flags.js. This covers an agent started
 * without them (by hand on a Node that cannot re-execute itself, or on Windows).
 */
import v8 from "node:v8";

export const V8_FLAGS = ["--no-turbofan", "--no-maglev", "--no-sparkplug"] as const;

/** `SELFHEAL_V8_TUNING=off` keeps V8's defaults (an escape hatch, and the A/B for bench:agent). */
export function tuneV8ForAgent(env: NodeJS.ProcessEnv = process.env): void {
  if (env.SELFHEAL_V8_TUNING === "off") return;
  for (const flag of V8_FLAGS) v8.setFlagsFromString(flag);
}
