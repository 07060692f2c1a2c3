/**
 * Windows services through sc.exe: `query <name>` to look (STATE : 4 RUNNING). sc.exe stop/start
 * only ask the service control manager, so each step waits for the state it asked for before the
 * next. Force restart ends the service's process with `taskkill /F /FI "SERVICES eq <name>"`.
 * Proven only against a stand-in sc.exe in the tests, not on Windows.
 */
import type { ServiceConfig } from "../config/schema";
import { sleep } from "../util";
import { bestEffort } from "./cli-step";
import { combinedOutput, describeExit, execArgv } from "./exec";
import type { Outcome, Probe, ServiceDriver } from "./types";

const nameOf = (svc: ServiceConfig) => svc.serviceName ?? svc.name;
const WAIT_MS = 60_000;
const POLL_MS = 500;

async function query(name: string): Promise<{ probe: Probe; state?: string }> {
  const r = await execArgv(["sc.exe", "query", name], { timeoutMs: 10_000 });
  if (r.spawnError || r.timedOut)
    return { probe: { status: "unknown", detail: describeExit(["sc.exe"], r) } };
  const state = /STATE\s*:\s*\d+\s+(\w+)/.exec(r.stdout)?.[1];
  // 1060: the service does not exist
  if (/\b1060\b/.test(combinedOutput(r)))
    return { probe: { status: "down", detail: `${name}: no such service` } };
  if (!state)
    return {
      probe: { status: "unknown", detail: `sc.exe query ${name}: ${combinedOutput(r) || `exit ${r.code}`}` },
    };
  if (state === "RUNNING") return { probe: { status: "up", detail: `${name} running` }, state };
  return {
    probe: {
      status: state.endsWith("PENDING") ? "unknown" : "down",
      detail: `${name} ${state.toLowerCase()}`,
    },
    state,
  };
}

const probe = async (svc: ServiceConfig) => (await query(nameOf(svc))).probe;

async function waitFor(name: string, want: "RUNNING" | "STOPPED"): Promise<Probe> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const q = await query(name);
    if (q.state === want || q.probe.detail?.endsWith("no such service") || Date.now() > deadline)
      return q.probe;
    await sleep(POLL_MS);
  }
}

async function step(argv: string[], want: "RUNNING" | "STOPPED", before: string[]): Promise<Outcome> {
  const name = argv.at(-1) as string;
  const r = await execArgv(argv, { timeoutMs: 30_000 });
  const output = [...before, combinedOutput(r)].filter(Boolean).join("\n");
  if (r.timedOut)
    return { status: "timed_out", exitCode: null, output: `${argv.join(" ")} timed out\n${output}`.trim() };
  // 1056: already running, 1062: not started; both leave it where the step wants it
  if (r.code !== 0 && !/\b(1056|1062)\b/.test(output))
    return { status: "failed", exitCode: r.code, output: `${describeExit(argv, r)}\n${output}`.trim() };
  const after = await waitFor(name, want);
  const ok = (want === "RUNNING") === (after.status === "up") && after.status !== "unknown";
  return ok
    ? { status: "succeeded", exitCode: 0, output: `${argv.join(" ")}: ok, ${after.detail}\n${output}`.trim() }
    : { status: "failed", exitCode: r.code, output: `${argv.join(" ")}: ${after.detail}\n${output}`.trim() };
}

async function restart(svc: ServiceConfig): Promise<Outcome> {
  const name = nameOf(svc);
  const stopped = await step(["sc.exe", "stop", name], "STOPPED", []);
  if (stopped.status !== "succeeded") return stopped;
  return step(["sc.exe", "start", name], "RUNNING", [stopped.output]);
}

async function forceRestart(svc: ServiceConfig): Promise<Outcome> {
  const name = nameOf(svc);
  const killed = await bestEffort(["taskkill", "/F", "/FI", `SERVICES eq ${name}`], 30_000);
  return step(["sc.exe", "start", name], "RUNNING", [killed]);
}

const stop = (svc: ServiceConfig) => step(["sc.exe", "stop", nameOf(svc)], "STOPPED", []);

export const windowsDriver: ServiceDriver = { probe, restart, forceRestart, stop };
