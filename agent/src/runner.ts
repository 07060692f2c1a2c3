/**
 * The agent's loop. Every interval: collect -> one report (samples, every service, pending results)
 * -> run the commands it returns, one at a time -> report again at once (reason "command") so the
 * server sees the recovery quickly. A service the agent started exiting triggers a report too.
 * All server traffic goes through one queue, so reports never overlap. Each interval also checks
 * the configured files for drift, and, once the edge has been gone long enough, heals locally.
 */
import { LIMITS, type ServiceState } from "../protocol";
import { CommandJournal } from "./actions/journal";
import { ActionRegistry } from "./actions/registry";
import { parseSigningKey, signatureProblem } from "./actions/signing";
import { LocalAutonomy } from "./autonomy";
import { capabilitiesOf } from "./capabilities";
import { checkAndLogCollectors, checkOutputsOf } from "./checks/collectors";
import { hostCollectors, MetricsCollector } from "./collectors";
import { cachesCollector } from "./collectors/caches";
import { tlsCollector } from "./collectors/tls";
import type { AgentConfig } from "./config/schema";
import { ConfigKeeper } from "./configs/keeper";
import type { Logger } from "./log";
import { traced } from "./sample-trace";
import { ServiceManager } from "./services";
import { LivenessProbes } from "./services/liveness";
import type { StatePaths } from "./state-dir";
import type { ApiClient, ReportAnswer } from "./transport/client";
import { CommandChannel } from "./transport/command-channel";
import { SpoolQueue } from "./transport/spool-queue";
import { type ReportReason, type SendOutcome, Uplink } from "./transport/uplink";
import { errorMessage, isoTime, round2, sleep } from "./util";

export const EXIT_AUTH = 77;

export interface RunnerOptions {
  config: AgentConfig;
  paths: StatePaths;
  client: ApiClient;
  agentToken: string;
  /** This host's id: what a signed command must be signed for (config commandSigningKey). */
  hostId?: string;
  /** A fresh agent token when the server refuses this one (a host key proof); throws when none. */
  renewToken?: () => Promise<string | undefined>;
  log: Logger;
  collector?: MetricsCollector;
  /** Passed to the service manager (tests shorten them). */
  settleMs?: number;
  stopWaitMs?: number;
  /** How long shutdown waits for a report in flight before abandoning it. */
  shutdownGraceMs?: number;
}

/** Follow-up command reports in a row before waiting for the next interval (a server loop guard). */
const MAX_COMMAND_ROUNDS = 5;
/** At most one event report per this long, however much a probe or a service flaps. */
const EVENT_GAP_MS = 1_000;
/** A token refused again this soon after a renewal is not renewed again (two agents, one host). */
const RENEW_GAP_MS = 60_000;

export class Runner {
  readonly services: ServiceManager;
  readonly uplink: Uplink;
  private readonly collector: MetricsCollector;
  private readonly registry: ActionRegistry;
  private readonly journal: CommandJournal;
  readonly configs: ConfigKeeper;
  readonly autonomy?: LocalAutonomy;
  private readonly abort = new AbortController();
  private intervalMs: number;
  private tickTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private eventTimer?: NodeJS.Timeout;
  private lastEventAt = 0;
  private agentToken: string;
  private renewedAt = 0;
  private readonly probes?: LivenessProbes;
  private probeTimer?: NodeJS.Timeout;
  /** The rounds the pending probe timer waits; 0 while a round runs. */
  private probeRounds = 0;
  private readonly channel: CommandChannel;
  private queue: Promise<void> = Promise.resolve();
  private lastServices?: ServiceState[];
  private serverEnabled?: boolean;
  private stopping = false;
  private finished!: (code: number) => void;
  readonly done = new Promise<number>((resolve) => {
    this.finished = resolve;
  });

  constructor(private readonly opts: RunnerOptions) {
    const { config, log } = opts;
    this.intervalMs = config.intervalSeconds * 1000;
    this.agentToken = opts.agentToken;
    const checkCollectors = checkAndLogCollectors(config, log);
    const linux = process.platform === "linux";
    const caches = linux && config.caches.length ? cachesCollector(config.caches) : undefined;
    this.collector =
      opts.collector ??
      new MetricsCollector(
        [
          ...hostCollectors(
            () => this.lastServices,
            process.platform,
            config.caches.map((c) => c.path),
          ),
          ...(caches ? [caches] : []),
          ...(config.tls?.length ? [tlsCollector(config.tls)] : []),
          ...checkCollectors,
        ],
        log,
      );
    this.services = new ServiceManager(config.services, {
      paths: opts.paths,
      log,
      settleMs: opts.settleMs,
      stopWaitMs: opts.stopWaitMs,
      onExit: (service, pid, code, signal) => {
        log.notice("service exited", { service, pid, code, signal });
        this.scheduleEventReport();
      },
    });
    this.uplink = new Uplink({
      client: opts.client,
      token: opts.agentToken,
      log,
      intervalMs: () => this.intervalMs,
      checks: checkOutputsOf(checkCollectors),
      caches: caches?.facts,
      capabilities: capabilitiesOf(config),
      queue:
        config.spoolMaxBytes > 0
          ? new SpoolQueue(`${opts.paths.root}/spool`, config.spoolMaxBytes, (err) =>
              log.error(`cannot write the offline spool, keeping it in memory: ${errorMessage(err)}`),
            )
          : undefined,
    });
    this.channel = new CommandChannel({
      client: opts.client,
      log,
      onCommands: (commands) => this.runPolled(commands),
    });
    const signingKey = config.commandSigningKey ? parseSigningKey(config.commandSigningKey) : undefined;
    if (config.probeIntervalSeconds > 0) this.probes = new LivenessProbes(this.services);
    this.journal = new CommandJournal(opts.paths.journal);
    this.configs = new ConfigKeeper(config.configs, opts.paths.configs, log);
    this.registry = new ActionRegistry({
      journal: this.journal,
      verify: signingKey && ((cmd) => signatureProblem(cmd, opts.hostId ?? "", signingKey)),
      context: {
        services: this.services,
        policy: config.actions,
        log,
        collectNow: () => this.collectNow(),
        config,
        paths: opts.paths,
        configs: this.configs,
      },
    });
    if (config.autonomy)
      this.autonomy = new LocalAutonomy({
        config: config.autonomy,
        policy: config.actions,
        services: this.services,
        log,
        record: {
          start: (id, action, target) => this.journal.recordStart(id, action, target),
          result: (id, status) => this.journal.recordResult(id, status),
        },
      });
  }

  get currentIntervalMs(): number {
    return this.intervalMs;
  }

  /** Starts the loop; `done` resolves with the exit code once it stops. */
  async start(): Promise<void> {
    for (const e of this.journal.interrupted)
      this.uplink.queue.addResult({
        commandId: e.id,
        status: "failed",
        exitCode: null,
        output: "the agent stopped before this command finished; it was not retried",
        durationMs: 0,
        finishedAt: isoTime(),
      });
    await this.services.autostart();
    await this.configs.ensureSnapshots();
    await this.collector.prime();
    // A short first window gives the first sample a real CPU and network rate.
    await sleep(500, this.abort.signal);
    this.tick();
    this.scheduleProbe();
  }

  /** SIGTERM/SIGINT: no new work, give a report in flight a moment, then leave. Services keep running. */
  async stop(code = 0): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of [this.tickTimer, this.retryTimer, this.eventTimer, this.probeTimer]) clearTimeout(t);
    this.channel.close();
    await Promise.race([this.queue, sleep(this.opts.shutdownGraceMs ?? 2_000)]);
    this.abort.abort();
    this.uplink.persist(); // what the edge has not taken survives the restart
    await this.opts.client.close();
    this.finished(code);
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (this.stopping) return;
      try {
        await job();
      } catch (err) {
        this.opts.log.error(`unexpected error: ${errorMessage(err)}`);
      }
    });
    return this.queue;
  }

  private tick(): void {
    clearTimeout(this.retryTimer);
    const startedAt = Date.now();
    void this.enqueue(async () => {
      let services = await this.checkServices();
      const local = (await this.autonomy?.heal(services)) ?? [];
      for (const r of local) this.uplink.queue.addResult(r);
      if (local.length) services = await this.checkServices();
      await this.addSample();
      await this.report("interval", services);
    }).then(() => {
      if (this.stopping) return;
      clearTimeout(this.tickTimer);
      this.tickTimer = setTimeout(() => this.tick(), Math.max(0, startedAt + this.intervalMs - Date.now()));
    });
  }

  private scheduleEventReport(): void {
    if (this.stopping || this.eventTimer) return;
    // Coalesce a burst of exits (a process group going down) into one report.
    this.eventTimer = setTimeout(
      () => {
        this.eventTimer = undefined;
        void this.enqueue(async () => {
          this.lastEventAt = Date.now();
          await this.report("event", await this.checkServices());
        });
      },
      Math.max(100, this.lastEventAt + EVENT_GAP_MS - Date.now()),
    );
  }

  /** Liveness probes run in the queue: never during a report or an action (a restart is not an outage). */
  private scheduleProbe(): void {
    const probes = this.probes;
    if (!probes || this.stopping) return;
    const rounds = probes.roundsToWait();
    this.probeRounds = rounds;
    this.probeTimer = setTimeout(
      () => {
        this.probeRounds = 0;
        void this.enqueue(async () => {
          const lost = await probes.probe(rounds);
          if (!lost.length) return;
          this.opts.log.notice("service down (liveness probe)", { services: lost.join(", ") });
          this.scheduleEventReport();
        }).then(() => this.scheduleProbe());
      },
      rounds * this.opts.config.probeIntervalSeconds * 1000,
    );
  }

  private runPolled(commands: unknown[]): Promise<void> {
    return this.enqueue(async () => {
      for (const cmd of commands) {
        if (this.stopping) return;
        const result = await this.registry.execute(cmd);
        if (result) this.uplink.queue.addResult(result);
      }
      await this.report("command", await this.checkServices(), 1);
    });
  }

  private async checkServices(): Promise<ServiceState[]> {
    this.lastServices = await this.services.checkAll();
    this.probes?.observe(this.lastServices);
    // a process restarted from outside is no child of ours: poll it from now on, not in 5 rounds
    if (this.probeRounds > 1 && this.probes?.roundsToWait() === 1) {
      clearTimeout(this.probeTimer);
      this.scheduleProbe();
    }
    return this.lastServices;
  }

  private async addSample(): Promise<Record<string, number>> {
    const metrics = await this.collector.collect();
    const extra: Record<string, number> = await this.configs.driftMetrics().catch((err) => {
      this.opts.log.warn(`config drift check failed: ${errorMessage(err)}`);
      return {};
    });
    const local = this.autonomy?.takeCount();
    if (local) extra["agent.local_actions"] = local;
    // A sample over the protocol's metric cap would be refused whole: extras give way first.
    for (const [k, v] of Object.entries(extra))
      if (Object.keys(metrics).length < LIMITS.metricsPerSample) metrics[k] = v;
    this.uplink.queue.addSample(traced({ ts: isoTime(), metrics }));
    return metrics;
  }

  private async collectNow(): Promise<string> {
    const m = await this.addSample();
    const parts = ["cpu", "memory", "disk", "load1"].filter((k) => k in m).map((k) => `${k} ${round2(m[k])}`);
    return `collected a fresh sample: ${parts.join(", ") || "no metrics"}`;
  }

  private async report(reason: ReportReason, services: ServiceState[] | undefined, round = 0): Promise<void> {
    const outcome = await this.uplink.send(reason, services, this.abort.signal);
    await this.settle(outcome, round);
  }

  private async settle(outcome: SendOutcome, round: number): Promise<void> {
    // Any HTTP answer means the edge is reachable, even one refusing this report.
    if (outcome.ok || (!outcome.fatal && outcome.retryInMs === undefined)) this.autonomy?.contact();
    if (outcome.ok) {
      if (outcome.response) await this.apply(outcome.response, round);
      // A long outage can leave more than one report's worth: drain it now rather than one per interval.
      if (this.uplink.queue.size.samples > 0 && !this.stopping)
        void this.enqueue(async () => this.report("backfill", undefined));
      return;
    }
    if (outcome.fatal) {
      if (await this.renew(outcome.error.status)) return;
      this.opts.log.error(
        `the server rejected this agent's token (${outcome.error.status}): it was revoked or belongs to another server. ` +
          `Delete ${this.opts.paths.token} and start the agent with a fresh enroll token in the config.`,
      );
      void this.stop(EXIT_AUTH);
      return;
    }
    if (outcome.retryInMs !== undefined && !this.stopping) {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(
        () => void this.enqueue(async () => this.report("backfill", this.lastServices)),
        outcome.retryInMs,
      );
    }
  }

  /** The token was refused: a renewed one (host key proof), and the report sent again with it. */
  private async renew(status: number): Promise<boolean> {
    const { renewToken, log } = this.opts;
    if (!renewToken || Date.now() - this.renewedAt < RENEW_GAP_MS || this.stopping) return false;
    this.renewedAt = Date.now();
    log.warn(`the server refused this agent's token (${status}): renewing it with the host key`);
    let token: string | undefined;
    try {
      token = await renewToken();
    } catch (err) {
      log.error(errorMessage(err));
      return false;
    }
    if (!token) return this.stopping;
    this.agentToken = token;
    this.uplink.useToken(token);
    this.channel.reset();
    void this.enqueue(async () => this.report("backfill", this.lastServices));
    return true;
  }

  private async apply(res: ReportAnswer, round: number): Promise<void> {
    const { settings } = res;
    const interval = settings.intervalSeconds * 1000;
    if (interval !== this.intervalMs) {
      this.opts.log.info("report interval set by the server", { seconds: settings.intervalSeconds });
      this.intervalMs = interval;
    }
    if (settings.enabled !== this.serverEnabled) {
      if (this.serverEnabled !== undefined || !settings.enabled)
        this.opts.log.notice(`self-healing is ${settings.enabled ? "enabled" : "disabled"} on the server`);
      this.serverEnabled = settings.enabled;
    }
    this.autonomy?.edgePolicy(settings.unattended);
    if (!this.stopping) this.channel.listen(res, this.agentToken);
    if (!res.commands.length || this.stopping) return;
    for (const cmd of res.commands) {
      if (this.stopping) return;
      const result = await this.registry.execute(cmd);
      if (result) this.uplink.queue.addResult(result);
    }
    if (round + 1 >= MAX_COMMAND_ROUNDS) return; // further results go with the next interval report
    await this.report("command", await this.checkServices(), round + 1);
  }
}
