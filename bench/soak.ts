// npm run soak [-- --agents 5 --minutes 3 --interval 2 --drop 0.05]
// N real agents for M minutes against the real Worker (wrangler dev, D1 persisted on disk so an
// edge restart keeps it), through a proxy that drops a fraction of the agents' responses after
// the Worker acted, with the edge restarted (a new workerd: every host's Durable Object restarts
// with it, keeping only what it wrote to its storage) and agents SIGKILLed and restarted along the way, and
// restart commands issued through the API. Prints samples produced (the agents' own traces) vs
// stored, commands issued vs executed (the agents' journals, and the services' own start counts),
// and the errors seen. Exits 1 when anything was lost or run twice.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { api, applyMigrations, freePort, newSecret, startWorker, waitFor } from "../scripts/lib/stack.mjs";
import { makeFleet, type SoakAgent } from "./lib/soak-fleet";
import { startProxy } from "./lib/soak-proxy";
import { type Run, tally } from "./lib/soak-tally";

const { values } = parseArgs({
  options: {
    agents: { type: "string", default: "5" },
    minutes: { type: "string", default: "3" },
    interval: { type: "string", default: "2" },
    drop: { type: "string", default: "0.05" },
    "edge-restart-every": { type: "string", default: "75" },
    "agent-kill-every": { type: "string", default: "20" },
    "command-every": { type: "string", default: "15" },
  },
});
const n = Number(values.agents);
const minutes = Number(values.minutes);
const interval = Number(values.interval);
const every = (k: "edge-restart-every" | "agent-kill-every" | "command-every") => Number(values[k]) * 1000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];

const dir = mkdtempSync(path.join(tmpdir(), "selfheal-soak-"));
const persistTo = path.join(dir, "wrangler");
const adminToken = newSecret();
const workerPort = await freePort();
console.log(
  `soak: ${n} agents × ${minutes} min, ${interval} s interval, ${Number(values.drop) * 100} % responses dropped`,
);
await applyMigrations(persistTo);
let worker = await startWorker({ port: workerPort, persistTo, adminToken });
const call = (method: string, p: string, body?: unknown) => api(worker.url, adminToken, method, p, body);
const proxy = await startProxy({ port: await freePort(), target: worker.url, dropRate: Number(values.drop) });
const run: Run = {
  started: Date.now(),
  edgeRestarts: 0,
  agentKills: 0,
  killsWhileEdgeDown: 0,
  issued: [],
  errors: [],
};
let edgeDown = false;
const fail = (what: string) => (err: unknown) =>
  run.errors.push(`${what}: ${(err as Error).message.split("\n")[0]}`);

// Manual commands only: with auto recovery off, every command is one the soak issued.
await call("POST", "/api/healing/config", { monitoring: { interval }, recovery: { auto_recovery: false } });
const { token: enrollToken } = await call("POST", "/api/v1/tokens", { scope: "enroll", name: "soak" });
const agents = await makeFleet({ dir, count: n, server: proxy.url, enrollToken, interval });
for (const a of agents) a.start();
let stopping = false;
try {
  await waitFor(
    async () => {
      const { hosts } = await call("GET", "/api/healing/status");
      return agents.every((a) =>
        hosts.some(
          (h: { name: string; services: { status: string }[] }) =>
            h.name === a.name && h.services.every((s: { status: string }) => s.status === "up"),
        ),
      );
    },
    { timeoutMs: 90_000, intervalMs: 500, what: "every agent reporting its service up" },
  );
  const end = Date.now() + minutes * 60_000;
  await Promise.all([
    loop(every("edge-restart-every"), end, restartEdge),
    loop(every("agent-kill-every"), end, killAgent),
    loop(every("command-every"), end, issueCommand),
  ]);
  // Faults over: let the spools drain and the last commands finish, then count.
  await settle();
  stopping = true;
  const stats = await tally(run, agents, proxy.stats, call, interval);
  process.exitCode = stats.ok ? 0 : 1;
} catch (err) {
  fail("soak")(err);
  console.error((err as Error).message);
  for (const a of agents) console.error(`--- ${a.name} ---\n${a.output.slice(-1500)}`);
  process.exitCode = 1;
} finally {
  stopping = true;
  for (const a of agents) await a.stop();
  for (const a of agents) {
    const pid = a.servicePid();
    if (pid)
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
  }
  await proxy.close();
  await worker.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function loop(ms: number, end: number, what: () => Promise<void>) {
  await pause(ms * (0.5 + Math.random()));
  while (Date.now() < end && !stopping) {
    await what().catch(fail(what.name));
    await pause(ms * (0.5 + Math.random()));
  }
}

async function restartEdge() {
  run.edgeRestarts++;
  edgeDown = true;
  await worker.stop();
  await pause(1000 + Math.random() * 3000);
  worker = await startWorker({ port: workerPort, persistTo, adminToken }).finally(() => {
    edgeDown = false;
  });
}

async function killAgent() {
  const a = pick(agents.filter((x) => x.proc));
  if (!a) return;
  run.agentKills++;
  // Samples an agent holds while the edge is down are what a kill can lose.
  if (edgeDown) run.killsWhileEdgeDown++;
  a.kill();
  await pause(500 + Math.random() * 3000);
  a.start();
}

/** A fault the agent reports (its service killed), then a restart command for the issue it opened. */
async function issueCommand() {
  const a = agents[run.issued.length % agents.length];
  const pid = a.servicePid();
  if (pid) process.kill(pid, "SIGKILL");
  const issue = await waitFor(
    async () => {
      const { items } = await call("GET", `/api/healing/issues?host=${a.name}&status=active`);
      return items.find((i: { target: string | null }) => i.target === "web");
    },
    { timeoutMs: 60_000, intervalMs: 500, what: `an issue for ${a.name}'s service` },
  );
  const queued = await call("POST", "/api/healing/recover", {
    issue_id: issue.id,
    action: "restart_service",
  });
  run.issued.push({ id: queued.commandId, host: a.name, at: Date.now() });
  await waitFor(async () => a.servicePid() !== pid, {
    timeoutMs: 90_000,
    intervalMs: 500,
    what: "the restart",
  });
}

async function settle() {
  const deadline = Date.now() + 120_000;
  await waitFor(
    async () => {
      const { items } = await call("GET", "/api/v1/commands?limit=500");
      const open = items.filter((c: { status: string }) => ["pending", "delivered"].includes(c.status));
      return open.length === 0 || Date.now() > deadline;
    },
    { timeoutMs: 130_000, intervalMs: 1000, what: "commands to finish" },
  ).catch(fail("settle"));
  await pause(4 * interval * 1000);
}

export type { SoakAgent };
