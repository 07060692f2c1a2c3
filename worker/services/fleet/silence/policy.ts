/**
 * When a host counts as silent, and when many silent hosts are one fleet incident. Read by the
 * cron's sweep (./sweep.ts), the host's object (a report after a silence, uptime) and the pages.
 */
import type { Severity } from "../../../../agent/engine";
import { SECOND } from "../../../lib/time";
import type { HealingConfig } from "../../../schemas/config";

export const HOST_OFFLINE_RULE = "host_offline";
export const FLEET_OFFLINE_RULE = "fleet_offline";
/** Members of a fleet incident carry its key (issues.incident_key), so it knows when all are back. */
export const FLEET_INCIDENT_KEY = `${FLEET_OFFLINE_RULE}|`;

/**
 * A storm: more than half of an org's watched hosts silent at once, and at least three of them.
 * Then it is one incident (the network, the edge, a datacentre), paged once, not once per host.
 */
export const STORM_SHARE = 0.5;
export const STORM_MIN_HOSTS = 3;

/** Silent after host_offline.after_seconds, else three report intervals, never under a minute. */
export function silenceAfterMs(config: HealingConfig): number {
  const configured = config.host_offline?.after_seconds;
  return (configured ?? Math.max(3 * config.monitoring.interval, 60)) * SECOND;
}

export const offlineSeverity = (config: HealingConfig): Severity => config.host_offline?.severity ?? "high";

export const isStorm = (silent: number, watched: number) =>
  silent >= STORM_MIN_HOSTS && silent > watched * STORM_SHARE;

/** "3m 20s", "2h 5m", "45s": how long a host was silent, for people. */
export function duration(ms: number): string {
  const s = Math.round(ms / SECOND);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}
