/** lockdown / unlock: the argv in the config's "lockdown" (firewall rules, say). Both are required, so a lockdown can always be undone. */
import type { LockdownConfig } from "../config/recovery";
import { runArgv } from "./exec-outcome";
import type { ActionHandler } from "./types";

const limit = (_cmd: unknown, ctx: { config: { lockdown?: LockdownConfig } }) =>
  (ctx.config.lockdown?.timeoutMs ?? 60_000) + 5_000;

export const lockdown: ActionHandler = {
  name: "lockdown",
  timeoutMs: limit,
  async run(_cmd, ctx) {
    const cfg = ctx.config.lockdown as LockdownConfig;
    return runArgv(cfg.lock, { timeoutMs: cfg.timeoutMs }, "lockdown");
  },
};

export const unlock: ActionHandler = {
  name: "unlock",
  timeoutMs: limit,
  async run(_cmd, ctx) {
    const cfg = ctx.config.lockdown as LockdownConfig;
    return runArgv(cfg.unlock, { timeoutMs: cfg.timeoutMs }, "unlock");
  },
};
