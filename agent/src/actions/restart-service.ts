/** restart_service <target>: restarts one configured service the way its config says. */
import type { ActionHandler } from "./types";

export const restartService: ActionHandler = {
  name: "restart_service",
  needsTarget: true,
  run(cmd, ctx) {
    return ctx.services.restart(cmd.target as string);
  },
};
