/** Runs a configured argv and turns its exit into an action outcome: exit 0 succeeded, a kill for time timed_out. */
import { combinedOutput, describeExit, type ExecOptions, execArgv } from "../services/exec";
import type { Outcome } from "../services/types";

export async function runArgv(argv: readonly string[], opts: ExecOptions, what: string): Promise<Outcome> {
  const r = await execArgv(argv, opts);
  const out = combinedOutput(r);
  const head = r.timedOut
    ? `${what}: ${argv[0]} did not finish within ${opts.timeoutMs / 1000} s and was killed`
    : `${what}: ${describeExit(argv, r)}`;
  return {
    status: r.timedOut ? "timed_out" : r.code === 0 ? "succeeded" : "failed",
    exitCode: r.code,
    output: out ? `${head}\n${out}` : head,
  };
}
