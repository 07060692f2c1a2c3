/**
 * The Cron Trigger's work, once a minute, in order. Each step reads the clock when it starts, as
 * the sweeps compare rows with that moment; all share one database handle.
 */
import { createDb, type Db } from "../db/client";
import type { Env } from "../env";
import { wakeHosts } from "../objects/host/stub";
import { runEdgeChecks } from "../services/edge/run-checks";
import { sweepSilentHosts } from "../services/fleet/silence/sweep";
import { sweepDeadlines } from "../services/issues/response-targets";
import { deliverNotifications } from "../services/notify";
import { expireApprovals } from "../services/recovery/approvals";
import { sweepCommands } from "../services/recovery/command-sweep";
import { settleQuietOperatorIssues } from "../services/recovery/host-actions/settle";
import { runRetention } from "../services/retention/run";
import { runSteps, type Step } from "./steps";

interface CronRun {
  db: Db;
  env: Env;
  /** Hosts whose commands or issues the steps changed: their objects read them again. */
  changed: string[];
}

export const CRON_STEPS: readonly Step<CronRun>[] = [
  {
    name: "command sweep",
    run: async (r) => {
      const { hosts, ...counts } = await sweepCommands(r.db, Date.now());
      if (counts.timedOut || counts.expired) console.log(JSON.stringify({ sweep: counts }));
      r.changed.push(...hosts);
    },
  },
  // Host actions whose command the sweep just timed out, on hosts gone quiet.
  {
    name: "quiet host actions",
    run: async (r) => r.changed.push(...(await settleQuietOperatorIssues(r.db, Date.now()))),
  },
  // Issues still unresolved at their response-time target: one deadline_breached each.
  { name: "response deadlines", run: (r) => sweepDeadlines(r.db, Date.now()) },
  // Commands nobody approved within their window expire and escalate their issue.
  { name: "approval expiry", run: async (r) => r.changed.push(...(await expireApprovals(r.db, Date.now()))) },
  // Their objects read those commands and issues again; a waiting agent gets a re-delivery now.
  { name: "wake hosts", run: (r) => wakeHosts(r.env, r.changed) },
  // Edge checks before delivery: the issues they open or resolve go out with this run's deliveries.
  { name: "edge checks", run: (r) => runEdgeChecks(r.db, Date.now()) },
  // Hosts that stopped reporting: their issues and pages go out with this run's deliveries.
  {
    name: "silence sweep",
    run: async (r) => wakeHosts(r.env, (await sweepSilentHosts(r.db, r.env, Date.now())).hosts),
  },
  { name: "notification delivery", run: (r) => deliverNotifications(r.env, { db: r.db, remind: true }) },
  // Roll samples up and drop what is past retention; last, so nothing above waits on it.
  { name: "retention", run: (r) => runRetention(r.db, Date.now()) },
];

export function runScheduled(env: Env): Promise<string[]> {
  return runSteps(CRON_STEPS, { db: createDb(env.DB), env, changed: [] });
}
