/**
 * Docker containers through the docker CLI: `inspect -f {{json .State}}` to look (running, main
 * pid, HEALTHCHECK status: docker-state.ts); `restart`, `kill`+`start`, `stop` to act.
 */
import type { ServiceConfig } from "../config/schema";
import { bestEffort, stepThenProbe } from "./cli-step";
import { type ContainerState, probeFromState } from "./docker-state";
import { describeExit, execArgv } from "./exec";
import type { Outcome, Probe, ServiceDriver } from "./types";

const containerOf = (svc: ServiceConfig) => svc.container ?? svc.name;

async function probe(svc: ServiceConfig): Promise<Probe> {
  const name = containerOf(svc);
  const r = await execArgv(["docker", "inspect", "-f", "{{json .State}}", name], { timeoutMs: 10_000 });
  if (r.spawnError || r.timedOut) return { status: "unknown", detail: describeExit(["docker"], r) };
  const out = r.stdout.trim();
  if (r.code === 0) {
    try {
      return probeFromState(name, JSON.parse(out) as ContainerState);
    } catch {
      return { status: "unknown", detail: `docker inspect ${name}: unexpected output ${out.slice(0, 100)}` };
    }
  }
  const err = r.stderr.trim() || out || `exit ${r.code}`;
  // A missing container is down; a daemon we cannot reach tells us nothing about the container.
  return /no such (object|container)/i.test(err)
    ? { status: "down", detail: `container ${name}: ${err}` }
    : { status: "unknown", detail: `docker inspect ${name}: ${err}` };
}

function restart(svc: ServiceConfig): Promise<Outcome> {
  return stepThenProbe(["docker", "restart", containerOf(svc)], 90_000, () => probe(svc), "up");
}

async function forceRestart(svc: ServiceConfig): Promise<Outcome> {
  const name = containerOf(svc);
  const killed = await bestEffort(["docker", "kill", "--signal=SIGKILL", name], 30_000);
  return stepThenProbe(["docker", "start", name], 90_000, () => probe(svc), "up", [killed]);
}

function stop(svc: ServiceConfig): Promise<Outcome> {
  return stepThenProbe(["docker", "stop", containerOf(svc)], 90_000, () => probe(svc), "down");
}

export const dockerDriver: ServiceDriver = { probe, restart, forceRestart, stop };
