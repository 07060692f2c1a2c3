/**
 * Cheap liveness probes between reports, so the agent learns of an outage it did not cause within
 * about a probe interval instead of a report interval. Only an up -> down change matters, judged
 * against what the last full check saw (`observe`), so one outage makes one event report.
 *
 * What a probe costs decides how often it runs:
 * - process services (pid file, command-line match, or the agent's own start): every probe; a pid
 *   file is one read plus kill(pid, 0); a match scans /proc (about 1.2 ms for 100 processes here);
 * - systemd and docker: every SLOW_EVERY-th probe, since `systemctl is-active` / `docker inspect`
 *   each cost a fork; other kinds only with each report's full check;
 * - a health check (http/tcp) only when the service's check says `"probe": true`: it opens a
 *   connection each time, which some services log or count.
 * The probe only triggers a report; the report re-checks everything, and the rule's duration and
 * hysteresis on the edge decide whether anything is done, so a blip never acts on its own.
 */
import type { ServiceState } from "../../protocol";
import type { ServiceConfig } from "../config";
import { runCheck } from "./checks";
import { dockerDriver } from "./docker";
import type { ServiceManager } from "./index";
import { systemdDriver } from "./systemd";
import type { ServiceDriver } from "./types";

export const SLOW_EVERY = 5;

export class LivenessProbes {
  private readonly up = new Map<string, boolean>();
  private rounds = 0;

  constructor(private readonly services: ServiceManager) {}

  /** The last full check: the baseline a probe compares with. */
  observe(states: ServiceState[]): void {
    for (const s of states) if (s.status !== "unknown") this.up.set(s.name, s.status === "up" && !s.stopped);
  }

  /** One round; returns the services that were up and now are not. */
  async probe(): Promise<string[]> {
    const slow = this.rounds++ % SLOW_EVERY === 0;
    const lost: string[] = [];
    for (const svc of this.services.services) {
      if (this.up.get(svc.name) !== true || this.services.stopped.has(svc.name)) continue;
      if (svc.kind !== "process" && !slow) continue;
      if (await this.alive(svc)) continue;
      this.up.set(svc.name, false);
      lost.push(svc.name);
    }
    return lost;
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
