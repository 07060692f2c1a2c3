/** health_check: collect a sample now and report it at once (it only reads). */
import type { ActionHandler } from "./types";

export const healthCheck: ActionHandler = {
  name: "health_check",
  async run(_cmd, ctx) {
    return { status: "succeeded", exitCode: 0, output: await ctx.collectNow() };
  },
};
