/**
 * Local autonomy: when the edge has been out of reach for longer than `autonomy.afterSeconds`, the
 * agent restarts services that are down by itself, under the same guardrails as the server's
 * commands: only services restart_service is enabled for, never one stopped on purpose, at most
 * `maxRestarts` per service within `windowSeconds`, and only what the edge's safeguards last said
 * needs no approval (settings.unattended: an action a human must approve is not taken alone). Each restart becomes a result with a local id
 * (`local-<uuid>`), kept in the report queue and the journal, so the edge hears of it on reconnect.
 */
import { type CommandResult, LIMITS, type ServiceState } from "../protocol";
import { cryptoModule } from "./builtins";
import type { AutonomyConfig } from "./config/recovery";
import type { ActionPolicy } from "./config/schema";
import type { Logger } from "./log";
import type { ServiceManager } from "./services";
import { errorMessage, isoTime, truncateTail } from "./util";

export interface AutonomyOptions {
  config: AutonomyConfig;
  policy: ActionPolicy;
  services: ServiceManager;
  log: Logger;
  /** Called before and after each local action (the command journal). */
  record?: {
    start(id: string, action: string, target: string): void;
    result(id: string, status: string): void;
  };
  now?: () => number;
}

export const LOCAL_ID_PREFIX = "local-";

export class LocalAutonomy {
  private lastContact: number;
  private offline = false;
  private readonly attempts = new Map<string, number[]>();
  private readonly capped = new Set<string>();
  /** Local actions taken since the last call to takeCount(), for the agent.local_actions metric. */
  private count = 0;
  private sinceContact = 0;
  /** The actions the edge last said need no approval; undefined until an edge says (older edges never do). */
  private unattended?: Set<string>;
  private heldForApproval = false;

  constructor(private readonly opts: AutonomyOptions) {
    this.lastContact = this.now();
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** The edge answered (any HTTP answer counts: it is reachable). */
  contact(): void {
    if (this.offline)
      this.opts.log.notice("edge reachable again, local autonomy off", { localActions: this.sinceContact });
    this.offline = false;
    this.sinceContact = 0;
    this.lastContact = this.now();
  }

  /** The edge's word on what may run unattended (every report's settings). */
  edgePolicy(unattended: string[] | undefined): void {
    if (unattended === undefined) return;
    this.unattended = new Set(unattended);
    this.heldForApproval = false;
  }

  get active(): boolean {
    return this.now() - this.lastContact >= this.opts.config.afterSeconds * 1000;
  }

  takeCount(): number {
    const n = this.count;
    this.count = 0;
    return n;
  }

  /** Restarts what the local policy allows, if the edge has been gone long enough. Returns the results. */
  async heal(states: ServiceState[]): Promise<CommandResult[]> {
    if (!this.active) return [];
    if (!this.offline) {
      this.offline = true;
      this.opts.log.warn("edge unreachable, local autonomy on", {
        seconds: Math.round((this.now() - this.lastContact) / 1000),
      });
    }
    const results: CommandResult[] = [];
    if (this.unattended && !this.unattended.has("restart_service")) {
      if (!this.heldForApproval)
        this.opts.log.warn(
          "local autonomy: the edge's safeguards ask for approval before restart_service, so nothing restarts alone",
        );
      this.heldForApproval = true;
      return results;
    }
    for (const s of states) {
      if (s.status !== "down" || s.stopped || !this.allowed(s.name)) continue;
      if (!this.take(s.name)) continue;
      results.push(await this.restart(s));
    }
    return results;
  }

  private allowed(name: string): boolean {
    const rule = this.opts.policy.restart_service;
    return !!rule && (!rule.services || rule.services.includes(name));
  }

  /** Counts an attempt if the window has room. */
  private take(name: string): boolean {
    const { maxRestarts, windowSeconds } = this.opts.config;
    const since = this.now() - windowSeconds * 1000;
    const recent = (this.attempts.get(name) ?? []).filter((t) => t > since);
    if (recent.length >= maxRestarts) {
      if (!this.capped.has(name))
        this.opts.log.warn(
          `local autonomy: ${name} is still down after ${maxRestarts} restarts, leaving it`,
          {
            windowSeconds,
          },
        );
      this.capped.add(name);
      this.attempts.set(name, recent);
      return false;
    }
    this.capped.delete(name);
    recent.push(this.now());
    this.attempts.set(name, recent);
    return true;
  }

  private async restart(s: ServiceState): Promise<CommandResult> {
    const id = `${LOCAL_ID_PREFIX}${cryptoModule().randomUUID()}`;
    const started = this.now();
    const offlineFor = Math.round((started - this.lastContact) / 1000);
    this.opts.log.notice("local autonomy: restarting a service that is down", {
      id,
      service: s.name,
      detail: s.detail,
      offlineSeconds: offlineFor,
    });
    this.opts.record?.start(id, "restart_service", s.name);
    let outcome: { status: CommandResult["status"]; exitCode: number | null; output: string };
    try {
      outcome = await this.opts.services.restart(s.name);
    } catch (err) {
      outcome = { status: "failed", exitCode: null, output: errorMessage(err) };
    }
    this.opts.record?.result(id, outcome.status);
    this.count++;
    this.sinceContact++;
    const log = outcome.status === "succeeded" ? this.opts.log.notice : this.opts.log.warn;
    log(`local autonomy: restart ${outcome.status}`, { id, service: s.name });
    const head = `local autonomy: restart_service ${s.name} (edge unreachable for ${offlineFor} s; it was down: ${s.detail ?? "no detail"})`;
    return {
      commandId: id,
      status: outcome.status,
      exitCode: outcome.exitCode,
      output: truncateTail(`${head}\n${outcome.output}`, LIMITS.outputChars),
      durationMs: Math.max(0, Math.round(this.now() - started)),
      finishedAt: isoTime(this.now()),
    };
  }
}
