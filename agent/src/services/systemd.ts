/** systemd services through systemctl: `is-active <unit>` to look; `restart`, `kill`+`start`, `stop` to act. */
import type { ServiceConfig } from "../config";
import { bestEffort, stepThenProbe } from "./cli-step";
import { describeExit, execArgv } from "./exec";
import type { Outcome, Probe, ServiceDriver } from "./types";

const unitOf = (svc: ServiceConfig) => svc.unit ?? svc.name;

async function probe(svc: ServiceConfig): Promise<Probe> {
  const unit = unitOf(svc);
  const r = await execArgv(["systemctl", "is-active", unit], { timeoutMs: 5_000 });
  if (r.spawnError || r.timedOut) return { status: "unknown", detail: describeExit(["systemctl"], r) };
  const state = r.stdout.trim().split("\n")[0] || r.stderr.trim() || `exit ${r.code}`;
  return state === "active"
    ? { status: "up", detail: `${unit} active` }
    : { status: "down", detail: `${unit} ${state}` };
}

function restart(svc: ServiceConfig): Promise<Outcome> {
  return stepThenProbe(["systemctl", "restart", unitOf(svc)], 90_000, () => probe(svc), "up");
}

function forceRestart(svc: ServiceConfig): Promise<Outcome> {
  const unit = unitOf(svc);
  return bestEffort(["systemctl", "kill", "--signal=SIGKILL", unit], 30_000).then((killed) =>
    stepThenProbe(["systemctl", "start", unit], 90_000, () => probe(svc), "up", [killed]),
  );
}

function stop(svc: ServiceConfig): Promise<Outcome> {
  return stepThenProbe(["systemctl", "stop", unitOf(svc)], 90_000, () => probe(svc), "down");
}

export const systemdDriver: ServiceDriver = { probe, restart, forceRestart, stop };
