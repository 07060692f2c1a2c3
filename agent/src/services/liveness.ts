/**
 * Cheap liveness probes between reports, so the agent learns of an outage it did not cause within
 * about a probe interval instead of a report interval. Only an up -> down change matters, judged
 * against what the last full check saw (`observe`), so one outage makes one event report.
 *
 * What a probe costs decides how often it runs:
 * - process services (pid file, command-line match, or the agent's own start): every probe; while
 *   the process the last look found lives on (same pid and start time) that is one /proc read,
 *   otherwise the full look: the pid file, or a /proc scan for a match (about 1.2 ms for 100
 *   processes here). A child of this agent process is the exception: its exit is an event
 *   (ProcessDriver's onExit), so it is looked at only on the slow rounds;
 * - systemd and docker: every SLOW_EVERY-th probe, since `systemctl is-active` / `docker inspect`
 *   each cost a fork; other kinds only with each report's full check;
 * - a health check (http/tcp) only when the service's check says `"probe": true`: it opens a
 *   connection each time, which some services log or count.
 * The probe only triggers a report; the report re-checks everything, and the rule's duration and
 * hysteresis on the edge decide whether anything is done, so a blip never acts on its own.
 */
import type { ServiceState } from "../../protocol";
import type { ServiceConfig } from "../config/schema";
import { dockerDriver } from "./docker";
import type { ServiceManager } from "./index";
import { runCheck } from "./probes";
import { systemdDriver } from "./systemd";
import type { ServiceDriver } from "./types";

export const SLOW_EVERY = 5;

export class LivenessProbes {
  private readonly up = new Map<string, boolean>();
  /** Rounds since the last slow one; the first round is slow. */
  private sinceSlow = SLOW_EVERY - 1;

  constructor(private readonly services: ServiceManager) {}

  /** The last full check: the baseline a probe compares with. */
  observe(states: ServiceState[]): void {
    for (const s of states) if (s.status !== "unknown") this.up.set(s.name, s.status === "up" && !s.stopped);
  }

  /**
   * How many probe intervals to sleep before the next round: 1 while some process service has to
   * be polled, else SLOW_EVERY. Each wake-up costs far more than the probe itself (an idle node
   * woken every second reads 0.3-1 % of a core on this VM, an empty setInterval included), and a
   * child of the agent tells of its exit by itself.
   */
  roundsToWait(): number {
    return this.watched().some((svc) => this.polledEveryRound(svc)) ? 1 : SLOW_EVERY;
  }

  /** One round, `rounds` probe intervals after the last; returns the services that were up and now are not. */
  async probe(rounds = 1): Promise<string[]> {
    this.sinceSlow += rounds;
    const slow = this.sinceSlow >= SLOW_EVERY;
    if (slow) this.sinceSlow = 0;
    const lost: string[] = [];
    for (const svc of this.watched()) {
      if (!slow && !this.polledEveryRound(svc)) continue;
      if (await this.alive(svc)) continue;
      this.up.set(svc.name, false);
      lost.push(svc.name);
    }
    return lost;
  }

  /** The services whose going down would be news: up at the last look and not stopped on purpose. */
  private watched(): ServiceConfig[] {
    return this.services.services.filter(
      (s) => this.up.get(s.name) === true && !this.services.stopped.has(s.name),
    );
  }

  private polledEveryRound(svc: ServiceConfig): boolean {
    if (svc.kind !== "process") return false;
    return Boolean(svc.check?.probe) || !this.services.process.watchesExit(svc);
  }

  private async alive(svc: ServiceConfig): Promise<boolean> {
    // kinds without a cheap look here are left to the full check with each report
    const driver: ServiceDriver | undefined =
      svc.kind === "process"
        ? this.services.process
        : svc.kind === "systemd"
          ? systemdDriver
          : svc.kind === "docker"
            ? dockerDriver
            : undefined;
    if (!driver) return true;
    let status: string;
    if (svc.kind === "process" && this.services.process.stillRunning(svc)) status = "up";
    else
      try {
        status = (await driver.probe(svc)).status;
      } catch {
        return true; // could not look: the next full check says so
      }
    if (status === "down") return false;
    if (status !== "up" || !svc.check?.probe) return true;
    return (await runCheck(svc.check)).ok;
  }
}
