/**
 * systemd services through systemctl: `show -p ActiveState,SubState,MainPID <unit>` to look (the
 * main pid lets the process metrics find the unit's control group); `restart`, `kill`+`start`,
 * `stop` to act.
 */
import type { ServiceConfig } from "../config/schema";
import { bestEffort, stepThenProbe } from "./cli-step";
import { describeExit, execArgv } from "./exec";
import type { Outcome, Probe, ServiceDriver } from "./types";

const unitOf = (svc: ServiceConfig) => svc.unit ?? svc.name;

/** `systemctl show` output: one Key=Value a line. */
export function parseShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return out;
}

async function probe(svc: ServiceConfig): Promise<Probe> {
  const unit = unitOf(svc);
  const r = await execArgv(["systemctl", "show", "-p", "ActiveState,SubState,MainPID", unit], {
    timeoutMs: 5_000,
  });
  if (r.spawnError || r.timedOut) return { status: "unknown", detail: describeExit(["systemctl"], r) };
  const show = parseShow(r.stdout);
  const state = show.ActiveState;
  if (r.code !== 0 || !state)
    return { status: "unknown", detail: `systemctl show ${unit}: ${r.stderr.trim() || `exit ${r.code}`}` };
  const pid = Number(show.MainPID);
  const sub = show.SubState && show.SubState !== state ? ` (${show.SubState})` : "";
  return state === "active"
    ? { status: "up", detail: `${unit} active${sub}`, ...(pid > 0 ? { pid } : {}) }
    : { status: "down", detail: `${unit} ${state}${sub}` };
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
