/**
 * macOS launchd jobs through launchctl: `print <domain>/<label>` to look ("state = running");
 * `kickstart -k` to restart, `kill SIGKILL` + `kickstart` to force, `kill SIGTERM` to stop (a job
 * with KeepAlive is started again by launchd itself: stop it with `launchctl disable` by hand).
 * Proven only against a stand-in launchctl in the tests, not on a Mac.
 */
import type { ServiceConfig } from "../config/schema";
import { bestEffort, stepThenProbe } from "./cli-step";
import { describeExit, execArgv } from "./exec";
import type { Outcome, Probe, ServiceDriver } from "./types";

const targetOf = (svc: ServiceConfig) => `${svc.domain ?? "system"}/${svc.label ?? svc.name}`;

async function probe(svc: ServiceConfig): Promise<Probe> {
  const target = targetOf(svc);
  const r = await execArgv(["launchctl", "print", target], { timeoutMs: 10_000 });
  if (r.spawnError || r.timedOut) return { status: "unknown", detail: describeExit(["launchctl"], r) };
  if (r.code !== 0) {
    const err = (r.stderr.trim() || r.stdout.trim() || `exit ${r.code}`).split("\n")[0];
    return { status: "down", detail: `${target}: ${err}` };
  }
  const state = /^\s*state = (.+)$/m.exec(r.stdout)?.[1]?.trim() ?? "unknown";
  const pid = Number(/^\s*pid = (\d+)$/m.exec(r.stdout)?.[1]) || undefined;
  return state === "running"
    ? { status: "up", detail: `${target} running`, pid }
    : { status: "down", detail: `${target} ${state}` };
}

function restart(svc: ServiceConfig): Promise<Outcome> {
  return stepThenProbe(["launchctl", "kickstart", "-k", targetOf(svc)], 90_000, () => probe(svc), "up");
}

async function forceRestart(svc: ServiceConfig): Promise<Outcome> {
  const target = targetOf(svc);
  const killed = await bestEffort(["launchctl", "kill", "SIGKILL", target], 30_000);
  return stepThenProbe(["launchctl", "kickstart", target], 90_000, () => probe(svc), "up", [killed]);
}

function stop(svc: ServiceConfig): Promise<Outcome> {
  return stepThenProbe(["launchctl", "kill", "SIGTERM", targetOf(svc)], 90_000, () => probe(svc), "down");
}

export const launchdDriver: ServiceDriver = { probe, restart, forceRestart, stop };
