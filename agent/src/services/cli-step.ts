/** One CLI step of a systemd/docker action, then a probe to confirm the state it should lead to. */
import { combinedOutput, describeExit, execArgv } from "./exec";
import type { Outcome, Probe } from "./types";

export async function stepThenProbe(
  argv: string[],
  timeoutMs: number,
  probe: () => Promise<Probe>,
  want: "up" | "down",
  before: string[] = [],
): Promise<Outcome> {
  const r = await execArgv(argv, { timeoutMs });
  const output = [...before, combinedOutput(r)].filter(Boolean).join("\n");
  if (r.timedOut)
    return { status: "timed_out", exitCode: null, output: `${argv.join(" ")} timed out\n${output}`.trim() };
  if (r.code !== 0)
    return { status: "failed", exitCode: r.code, output: `${describeExit(argv, r)}\n${output}`.trim() };
  const after = await probe();
  return after.status === want
    ? { status: "succeeded", exitCode: 0, output: `${argv.join(" ")}: ok, ${after.detail}\n${output}`.trim() }
    : {
        status: "failed",
        exitCode: 0,
        output: `${argv.join(" ")} returned 0 but ${after.detail}\n${output}`.trim(),
      };
}

/** Runs a step whose failure does not stop the action (a kill of something already dead); returns its line. */
export async function bestEffort(argv: string[], timeoutMs: number): Promise<string> {
  const r = await execArgv(argv, { timeoutMs });
  const out = combinedOutput(r);
  return `${argv.join(" ")}: ${r.code === 0 ? "ok" : describeExit(argv, r)}${out ? `\n${out}` : ""}`;
}
