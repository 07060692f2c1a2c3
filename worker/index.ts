/** The Worker entry: the API (and dashboard assets) on fetch, the scheduled jobs (jobs/) on the cron. */
import { createApp } from "./app";
import { type Env, envProblem } from "./env";
import { runScheduled } from "./jobs/scheduled";
import { errorBody } from "./lib/errors";
import { newId } from "./lib/ids";

export { HostObject } from "./objects/host";
export { OrgEvents } from "./objects/org-events";

const app = createApp();

function misconfigured(problem: string): Response {
  console.error(JSON.stringify({ error: "misconfigured environment", problem }));
  return Response.json(errorBody("INTERNAL", "the server is misconfigured", newId("req")), { status: 500 });
}

export default {
  fetch(request, env, ctx) {
    const problem = envProblem(env);
    if (problem) return misconfigured(problem);
    return app.fetch(request, env, ctx);
  },
  async scheduled(_controller, env) {
    const problem = envProblem(env);
    if (problem) throw new Error(`misconfigured environment: ${problem}`);
    await runScheduled(env);
  },
} satisfies ExportedHandler<Env>;
