/**
 * The service actions. restart_service: the way the service's config says. force_restart: SIGKILL,
 * then start. stop_service: stop it and mark it stopped on purpose. emergency_shutdown: stop every
 * configured service (the edge asks for approval first; here it is just another enabled action).
 */
import type { Outcome } from "../services";
import type { ActionHandler } from "./types";

export const restartService: ActionHandler = {
  name: "restart_service",
  target: "service",
  run: (cmd, ctx) => ctx.services.restart(cmd.target as string),
};

export const forceRestart: ActionHandler = {
  name: "force_restart",
  target: "service",
  run: (cmd, ctx) => ctx.services.forceRestart(cmd.target as string),
};

export const stopService: ActionHandler = {
  name: "stop_service",
  target: "service",
  run: (cmd, ctx) => ctx.services.stop(cmd.target as string, "stop_service"),
};

export const emergencyShutdown: ActionHandler = {
  name: "emergency_shutdown",
  // up to 90 s a service (systemctl/docker stop), one after the other
  timeoutMs: (_cmd, ctx) => 30_000 + 95_000 * ctx.services.services.length,
  async run(_cmd, ctx) {
    const names = ctx.services.services.map((s) => s.name).reverse(); // the reverse of start order
    if (!names.length) return { status: "succeeded", exitCode: 0, output: "no services configured" };
    const lines: string[] = [];
    let failed = 0;
    for (const name of names) {
      let outcome: Outcome;
      try {
        outcome = await ctx.services.stop(name, "emergency_shutdown");
      } catch (err) {
        outcome = { status: "failed", exitCode: null, output: String(err) };
      }
      if (outcome.status !== "succeeded") failed++;
      lines.push(
        `${name}: ${outcome.status}${outcome.output ? ` (${outcome.output.replace(/\n/g, "; ")})` : ""}`,
      );
    }
    const summary = `stopped ${names.length - failed} of ${names.length} services`;
    return {
      status: failed ? "failed" : "succeeded",
      exitCode: failed ? 1 : 0,
      output: [summary, ...lines].join("\n"),
    };
  },
};
