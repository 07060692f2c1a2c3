/** run_script <name>: the argv the local config lists under scripts.<name>; the server only names it. */
import type { ScriptConfig } from "../config/recovery";
import { runArgv } from "./exec-outcome";
import type { ActionContext, ActionHandler } from "./types";

const scriptOf = (target: string | undefined, ctx: ActionContext) =>
  ctx.config.scripts[target as string] as ScriptConfig;

export const runScript: ActionHandler = {
  name: "run_script",
  target: "script",
  timeoutMs: (cmd, ctx) => scriptOf(cmd.target, ctx).timeoutMs + 5_000,
  run(cmd, ctx) {
    const s = scriptOf(cmd.target, ctx);
    return runArgv(s.command, { timeoutMs: s.timeoutMs, cwd: s.cwd, env: s.env }, `script ${cmd.target}`);
  },
};
