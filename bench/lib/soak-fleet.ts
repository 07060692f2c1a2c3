// The soak's hosts: real agent processes, started as the systemd unit starts them, each with its
// own stateDir, host name and one real HTTP service it supervises. Each agent records the samples it produces
// (SELFHEAL_SAMPLE_TRACE, agent/src/sample-trace.ts) and its command journal (commands.jsonl):
// the agents' own account, which the soak compares with what the edge stored.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { agentLaunch, freePort, ROOT } from "../../scripts/lib/stack.mjs";

const SERVICE = path.join(ROOT, "bench", "lib", "soak-service.mjs");

export interface SoakAgent {
  name: string;
  stateDir: string;
  tracePath: string;
  pidFile: string;
  proc?: ChildProcess;
  output: string;
  starts: number;
  start(): void;
  /** SIGKILL: no shutdown hook runs. */
  kill(): void;
  /** SIGTERM, waiting for the exit. */
  stop(): Promise<void>;
  servicePid(): number | undefined;
  /** How many times the service has started (restarts + 1). */
  serviceStarts(): number;
}

export async function makeFleet(opts: {
  dir: string;
  count: number;
  server: string;
  enrollToken: string;
  interval: number;
}): Promise<SoakAgent[]> {
  const agents: SoakAgent[] = [];
  for (let i = 0; i < opts.count; i++) {
    const name = `soak-${i}`;
    const home = path.join(opts.dir, name);
    mkdirSync(home, { recursive: true });
    const port = await freePort();
    const pidFile = path.join(home, "web.pid");
    const configPath = path.join(home, "agent.json");
    const stateDir = path.join(home, "state");
    writeFileSync(
      configPath,
      JSON.stringify({
        server: opts.server,
        token: opts.enrollToken,
        name,
        interval: opts.interval,
        stateDir,
        services: [
          {
            name: "web",
            kind: "process",
            start: [process.execPath, SERVICE, String(port), pidFile, path.join(home, "web.starts")],
            pidFile,
            check: { http: `http://127.0.0.1:${port}/`, timeoutMs: 1000 },
          },
        ],
        actions: { restart_service: true, health_check: true },
      }),
    );
    const agent: SoakAgent = {
      name,
      stateDir,
      tracePath: path.join(home, "samples.trace"),
      pidFile,
      output: "",
      starts: 0,
      start() {
        const launch = agentLaunch(["run", "--config", configPath]);
        const proc = spawn(launch.cmd, launch.args, {
          cwd: ROOT,
          env: { ...process.env, ...launch.env, SELFHEAL_SAMPLE_TRACE: agent.tracePath },
          detached: true,
          stdio: ["ignore", "pipe", "pipe"],
        });
        const keep = (d: Buffer) => {
          agent.output = (agent.output + d).slice(-20_000);
        };
        proc.stdout?.on("data", keep);
        proc.stderr?.on("data", keep);
        agent.proc = proc;
        agent.starts++;
      },
      kill() {
        if (agent.proc?.exitCode === null && agent.proc.signalCode === null) agent.proc.kill("SIGKILL");
        agent.proc = undefined;
      },
      async stop() {
        const proc = agent.proc;
        if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
        const exited = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGTERM");
        const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      },
      serviceStarts() {
        const file = path.join(home, "web.starts");
        return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0;
      },
      servicePid() {
        try {
          return Number(readFileSync(pidFile, "utf8").trim()) || undefined;
        } catch {
          return undefined;
        }
      },
    };
    agents.push(agent);
  }
  return agents;
}

/** The sample timestamps an agent produced, from its trace. */
export function producedSamples(agent: SoakAgent): string[] {
  if (!existsSync(agent.tracePath)) return [];
  return readFileSync(agent.tracePath, "utf8").split("\n").filter(Boolean);
}

/** How many times each command id was started, from the agent's journal (torn lines skipped). */
export function journalStarts(agent: SoakAgent): Map<string, number> {
  const file = path.join(agent.stateDir, "commands.jsonl");
  const starts = new Map<string, number>();
  if (!existsSync(file)) return starts;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    try {
      const e = JSON.parse(line) as { t?: string; id?: string };
      if (e.t === "start" && e.id) starts.set(e.id, (starts.get(e.id) ?? 0) + 1);
    } catch {}
  }
  return starts;
}
