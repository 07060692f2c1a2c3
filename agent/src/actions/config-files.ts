/**
 * The config-file actions, on files named in the local config's "configs":
 * validate_config checks the current file; bless_config makes it the known-good snapshot if it
 * validates; reset_config puts the snapshot back and keeps the file it replaced, for rollback.
 */
import { readFile } from "node:fs/promises";
import type { ConfigFileConfig } from "../config/recovery";
import { sha256 } from "../configs/keeper";
import { validateFile } from "../configs/validate";
import type { ActionContext, ActionHandler } from "./types";

const fileOf = (target: string | undefined, ctx: ActionContext) =>
  ctx.config.configs.find((c) => c.name === target) as ConfigFileConfig;
const longest = (cmd: { target?: string }, ctx: ActionContext) => fileOf(cmd.target, ctx).timeoutMs + 5_000;

export const validateConfig: ActionHandler = {
  name: "validate_config",
  target: "config",
  timeoutMs: longest,
  async run(cmd, ctx) {
    const cfg = fileOf(cmd.target, ctx);
    const v = await validateFile(cfg);
    const good = await ctx.configs.goodHash(cfg.name);
    const current = await readFile(cfg.path).then(sha256, () => undefined);
    const drift = !good
      ? "no known-good snapshot yet"
      : current === good
        ? "matches the known-good snapshot"
        : "differs from the known-good snapshot (drift)";
    const head = `${cfg.path} ${v.ok ? "is valid" : "is NOT valid"}; ${drift}`;
    return {
      status: v.ok ? "succeeded" : v.timedOut ? "timed_out" : "failed",
      exitCode: v.exitCode,
      output: `${head}\n${v.detail}`,
    };
  },
};

export const blessConfig: ActionHandler = {
  name: "bless_config",
  target: "config",
  timeoutMs: longest,
  run: (cmd, ctx) => ctx.configs.snapshot(fileOf(cmd.target, ctx)),
};

export const resetConfig: ActionHandler = {
  name: "reset_config",
  target: "config",
  run: (cmd, ctx) => ctx.configs.reset(fileOf(cmd.target, ctx)),
};
