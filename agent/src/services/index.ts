/**
 * The configured services: their current state (driver probe, then the optional health check)
 * and what the agent may do to them: restart, force-restart, stop. A service stopped on purpose
 * stays marked (on disk) until it is restarted, and is reported `stopped`, not as an outage.
 */
import { LIMITS, type ServiceKind, type ServiceState } from "../../protocol";
import type { ServiceConfig } from "../config/schema";
import type { Logger } from "../log";
import type { StatePaths } from "../state-dir";
import { errorMessage, truncateHead } from "../util";
import { dockerDriver } from "./docker";
import { kubernetesDriver } from "./kubernetes";
import { launchdDriver } from "./launchd";
import { runCheck } from "./probes";
import { type ExitListener, ProcessDriver } from "./process";
import { StartedProcesses } from "./started";
import { StoppedMarks } from "./stopped";
import { systemdDriver } from "./systemd";
import type { Outcome, Probe, ServiceDriver } from "./types";
import { windowsDriver } from "./windows";

export type { Outcome, Probe };

export interface ServiceManagerOptions {
  /** Without state paths (the one-off `check`) services can be looked at but not started. */
  paths?: StatePaths;
  log?: Logger;
  onExit?: ExitListener;
  settleMs?: number;
  stopWaitMs?: number;
}

export class ServiceManager {
  readonly process: ProcessDriver;
  private readonly drivers: Record<ServiceKind, ServiceDriver>;
  private readonly byName: Map<string, ServiceConfig>;
  readonly stopped: StoppedMarks;

  constructor(
    readonly services: ServiceConfig[],
    private readonly opts: ServiceManagerOptions = {},
  ) {
    this.byName = new Map(services.map((s) => [s.name, s]));
    this.process = new ProcessDriver({
      started: new StartedProcesses(opts.paths?.run),
      logsDir: opts.paths?.logs,
      settleMs: opts.settleMs,
      stopWaitMs: opts.stopWaitMs,
      onExit: opts.onExit,
    });
    this.drivers = {
      process: this.process,
      systemd: systemdDriver,
      docker: dockerDriver,
      launchd: launchdDriver,
      windows: windowsDriver,
      kubernetes: kubernetesDriver,
    };
    this.stopped = new StoppedMarks(opts.paths?.stopped);
  }

  get(name: string): ServiceConfig | undefined {
    return this.byName.get(name);
  }

  checkAll(): Promise<ServiceState[]> {
    return Promise.all(this.services.map((s) => this.check(s)));
  }

  async check(svc: ServiceConfig): Promise<ServiceState> {
    let probe: Probe;
    try {
      probe = await this.drivers[svc.kind].probe(svc);
    } catch (err) {
      probe = { status: "unknown", detail: `could not look: ${errorMessage(err)}` };
    }
    if (svc.check && probe.status !== "down") {
      const c = await runCheck(svc.check);
      const what = probe.detail ? `${probe.detail}; ` : "";
      probe = c.ok
        ? { ...probe, status: "up", detail: `${what}${c.detail}` }
        : { ...probe, status: "down", detail: `${what}check failed: ${c.detail}` };
    }
    const state: ServiceState = { name: svc.name, kind: svc.kind, status: probe.status };
    const stoppedBy = this.stopped.reason(svc.name);
    if (stoppedBy) {
      state.stopped = true;
      probe.detail = `stopped on purpose (${stoppedBy})${probe.detail ? `; ${probe.detail}` : ""}`;
    }
    if (probe.detail) state.detail = truncateHead(probe.detail, LIMITS.detailChars);
    if (probe.pid) state.pid = probe.pid;
    if (probe.logTail?.length && state.status === "down") state.logTail = probe.logTail;
    return state;
  }

  async restart(name: string): Promise<Outcome> {
    const svc = this.byName.get(name);
    if (!svc) return { status: "failed", exitCode: null, output: `no service ${name}` };
    this.opts.log?.notice("restarting service", { service: name, kind: svc.kind });
    this.stopped.clear(name);
    return this.drivers[svc.kind].restart(svc);
  }

  async forceRestart(name: string): Promise<Outcome> {
    const svc = this.byName.get(name);
    if (!svc) return { status: "failed", exitCode: null, output: `no service ${name}` };
    this.opts.log?.notice("force-restarting service", { service: name, kind: svc.kind });
    this.stopped.clear(name);
    return this.drivers[svc.kind].forceRestart(svc);
  }

  /** Stops it and marks it stopped on purpose (marked first, so the exit is never taken for an outage). */
  async stop(name: string, why = "stop_service"): Promise<Outcome> {
    const svc = this.byName.get(name);
    if (!svc) return { status: "failed", exitCode: null, output: `no service ${name}` };
    this.opts.log?.notice("stopping service", { service: name, kind: svc.kind, by: why });
    this.stopped.mark(name, why);
    return this.drivers[svc.kind].stop(svc);
  }

  /** Starts the process services marked `autostart` that are not running. */
  async autostart(): Promise<void> {
    for (const svc of this.services) {
      if (svc.kind !== "process" || !svc.autostart || this.stopped.has(svc.name)) continue;
      const outcome = await this.process.ensureStarted(svc);
      if (outcome?.status === "succeeded")
        this.opts.log?.notice("started service", { service: svc.name, detail: outcome.output });
      else if (outcome) this.opts.log?.error(`could not start ${svc.name}: ${outcome.output}`);
    }
  }
}
