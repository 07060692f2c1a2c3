/** The Worker entry: the API (and dashboard assets) on fetch, the command sweep on the cron. */
import { createApp } from "./app";
import { createDb } from "./db/client";
import { type Env, envProblem } from "./env";
import { errorBody } from "./lib/errors";
import { newId } from "./lib/ids";
import { wakeHosts } from "./objects/host/stub";
import { runEdgeChecks } from "./services/edge/run-checks";
import { sweepSilentHosts } from "./services/fleet/silence/sweep";
import { sweepDeadlines } from "./services/issues/response-targets";
import { deliverNotifications } from "./services/notify";
import { expireApprovals } from "./services/recovery/approvals";
import { sweepCommands } from "./services/recovery/command-sweep";
import { settleQuietOperatorIssues } from "./services/recovery/host-actions/settle";
import { runRetention } from "./services/retention/run";

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
    const { hosts: swept, ...counts } = await sweepCommands(createDb(env.DB), Date.now());
    if (counts.timedOut || counts.expired) console.log(JSON.stringify({ sweep: counts }));
    // Host actions whose command the sweep just timed out, on hosts gone quiet.
    const settled = await settleQuietOperatorIssues(createDb(env.DB), Date.now());
    // Issues still unresolved at their response-time target: one deadline_breached each.
    await sweepDeadlines(createDb(env.DB), Date.now());
    // Commands nobody approved within their window expire and escalate their issue.
    const expired = await expireApprovals(createDb(env.DB), Date.now());
    // Their objects read those commands and issues again; a waiting agent gets a re-delivery now.
    await wakeHosts(env, [...swept, ...settled, ...expired]);
    // Edge checks first: the issues they open or resolve go out with this run's deliveries.
    await runEdgeChecks(createDb(env.DB), Date.now()).catch((err) =>
      console.error(JSON.stringify({ error: "edge checks failed", detail: String(err) })),
    );
    // Hosts that stopped reporting: their issues and pages go out with this run's deliveries.
    await sweepSilentHosts(createDb(env.DB), env, Date.now())
      .then((swept) => wakeHosts(env, swept.hosts))
      .catch((err) => console.error(JSON.stringify({ error: "silence sweep failed", detail: String(err) })));
    await deliverNotifications(env);
    // Roll samples up and drop what is past retention; last, so nothing above waits on it.
    await runRetention(createDb(env.DB), Date.now()).catch((err) =>
      console.error(JSON.stringify({ error: "retention failed", detail: String(err) })),
    );
  },
} satisfies ExportedHandler<Env>;
