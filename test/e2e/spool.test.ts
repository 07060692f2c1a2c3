/**
 * The offline spool, end to end: the real Worker (wrangler dev, persisted D1) and the real agent (1 s
 * interval, signed commands). A restart command's answer is lost on the way; then the edge becomes
 * unreachable for ~16 s, and meanwhile the agent is SIGKILLed and started again and the Worker is
 * stopped and started again (same D1). Once the edge is back, every sample the agent spooled is
 * stored once, nothing is reported missing, and the lost command is handed out again and runs
 * once. Faults come from a TCP relay in front of the Worker.
 */
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateSigningKeys } from "../../agent/src/actions/signing";
import { startLab } from "../../scripts/lib/lab.mjs";
import { api, freePort, startAgent, startWorker, waitFor } from "../../scripts/lib/stack.mjs";
import { cleanup, tempDir } from "../agent/support/helpers";

/**
 * A relay to the Worker that can refuse every connection (the outage), pass requests on but lose
 * every answer (`loseAnswers`: the Worker acts, the agent hears nothing), and be re-pointed.
 */
async function relay(target: { port: number }) {
  const state = { up: true, loseAnswers: false, port: target.port };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!state.up) return client.destroy();
    const upstream = net.connect(state.port, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    }
    client.pipe(upstream);
    if (state.loseAnswers) upstream.once("data", () => client.destroy());
    else upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    cut() {
      state.up = false;
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The sample timestamps and result ids waiting in the agent's spool right now. */
function spooled(dir: string): { ts: string[]; results: string[] } {
  const out = { ts: [] as string[], results: [] as string[] };
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".jsonl"));
  } catch {
    return out;
  }
  for (const f of files.sort())
    for (const line of readFileSync(path.join(dir, f), "utf8").split("\n"))
      try {
        const e = JSON.parse(line);
        if (e.s) out.ts.push(e.s.ts);
        if (e.r) out.results.push(e.r.commandId);
      } catch {}
  return out;
}

describe("nothing lost across an outage with an agent and an edge restart", () => {
  const dir = tempDir("selfheal-spool-e2e-");
  const stops: (() => Promise<unknown> | unknown)[] = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await cleanup(); // the temp dir
  });

  it("stores every spooled sample once, reports no gap, and runs a lost signed command once", async () => {
    const keys = generateSigningKeys();
    const t0 = Date.now();
    const phases: string[] = [];
    const phase = (name: string) => phases.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    // Every sample the agents produce, as they produce it (agent/src/sample-trace.ts).
    const traceFile = path.join(dir, "samples.trace");
    process.env.SELFHEAL_SAMPLE_TRACE = traceFile;
    stops.push(() => delete process.env.SELFHEAL_SAMPLE_TRACE);
    const traced = () => readFileSync(traceFile, "utf8").trim().split("\n");
    const vars = { SELFHEAL_COMMAND_SIGNING_KEY: keys.privateKey };
    let edge: Awaited<ReturnType<typeof relay>> | undefined;
    // The agent reports through the relay; its service is started by the lab (no autostart), so a
    // restarted agent leaves it down.
    const lab = await startLab({
      hostName: "spool-host",
      interval: 1,
      services: [{ name: "web", autostart: false }],
      vars,
      agentConfig: { commandSigningKey: keys.publicKey },
      agentServer: async (url) => {
        edge = await relay({ port: Number(new URL(url).port) });
        stops.push(() => edge?.close());
        return edge.url;
      },
    });
    stops.unshift(() => lab.stop()); // last: after the worker and agent started again below
    if (!edge) throw new Error("no relay");
    let worker = lab.worker;
    stops.push(() => worker.stop());
    let agent = lab.agent;
    stops.push(() => agent.stop());
    const { adminToken, persistTo, configPath, hostId } = lab;
    const stateDir = path.join(lab.dir, "agent");
    const call = (method: string, p: string, body?: unknown) => api(worker.url, adminToken, method, p, body);
    const pid = () => lab.pidOf(lab.services[0]);
    phase("agent up");
    const succeeded = async () =>
      (await call("GET", `/api/healing/recovery-history?host=${hostId}`)).items.filter(
        (h: { status: string }) => h.status === "succeeded",
      ).length;

    // A signed restart whose answer is lost: the Worker hands it out, the agent never hears of it.
    const commandsOfHost = async () =>
      (await call("GET", "/api/v1/commands")).items.filter((c: { hostId: string }) => c.hostId === hostId);
    edge.state.loseAnswers = true;
    edge.cut(); // no kept-alive connection from before may slip an answer through
    edge.state.up = true;
    process.kill(pid(), "SIGKILL");
    await waitFor(
      async () => (await commandsOfHost()).some((c: { status: string }) => c.status === "delivered"),
      { timeoutMs: 45_000, what: "a restart command delivered into the void" },
    );

    phase("command lost");
    // Then the outage: the agent can reach nothing.
    const spoolDir = path.join(stateDir, "spool");
    edge.cut();
    edge.state.loseAnswers = false;
    const cutAt = Date.now();
    const atCut = spooled(spoolDir).ts.length;
    await waitFor(() => spooled(spoolDir).ts.length >= atCut + 4, {
      timeoutMs: 20_000,
      what: "samples spooled",
    });
    const beforeCrash = spooled(spoolDir).ts;
    process.kill(-(agent.proc.pid as number), "SIGKILL"); // the agent dies without a chance to flush anything
    // the one sample a SIGKILL can take: traced, but killed before its append was fsynced
    const inFlightAtKill = traced().at(-1);
    agent = startAgent({ configPath }); // (no autostart: the service stays down)
    await worker.stop(); // and the edge restarts, with the same D1
    worker = await startWorker({ port: await freePort(), persistTo, adminToken, vars });
    edge.state.port = Number(new URL(worker.url).port);
    await waitFor(
      () => spooled(spoolDir).ts.length >= beforeCrash.length + 4 && Date.now() - cutAt > 15_000,
      { timeoutMs: 20_000, what: "the restarted agent spooling" },
    );
    const during = spooled(spoolDir).ts;
    const bytes = readdirSync(spoolDir)
      .filter((f) => f.endsWith(".jsonl"))
      .reduce((n, f) => n + readFileSync(path.join(spoolDir, f)).length, 0);
    console.log(
      `outage ${((Date.now() - cutAt) / 1000).toFixed(1)} s: ${during.length} samples spooled ` +
        `(${beforeCrash.length} before the agent's SIGKILL), ${bytes} bytes on disk`,
    );
    edge.state.up = true;
    phase("outage over");

    await waitFor(() => readdirSync(spoolDir).every((f) => !f.endsWith(".jsonl")), {
      timeoutMs: 30_000,
      what: "the spool drained",
    });
    const from = during[0];
    const stored = (
      await call("GET", `/api/v1/hosts/${hostId}/samples?from=${from}&limit=5000&resolution=raw`)
    ).items
      .map((s: { ts: string }) => s.ts)
      .filter((ts: string) => ts <= (during.at(-1) as string));
    expect(during.length).toBeGreaterThanOrEqual(beforeCrash.length + 4);
    expect(beforeCrash.every((ts) => during.includes(ts))).toBe(true); // the SIGKILL lost nothing spooled
    expect(stored).toEqual(during); // every one, once, in order, and nothing else in that window
    expect((await call("GET", `/api/v1/hosts/${hostId}/gaps`)).items).toEqual([]);

    // The lost command is handed out again (REDELIVER_AFTER_MS after its delivery) and runs once.
    await waitFor(async () => (await succeeded()) === 1, { timeoutMs: 60_000, what: "the restart" });
    phase("lost command ran");

    // Every sample the agents produced (traced) is stored: none missing, none extra, none twice.
    const produced = traced();
    const storedTs = async () =>
      (
        await call(
          "GET",
          `/api/v1/hosts/${hostId}/samples?from=${produced[0]}&to=${produced.at(-1)}&limit=5000&resolution=raw`,
        )
      ).items.map((s: { ts: string }) => s.ts);
    await waitFor(
      async () => {
        const stored = await storedTs();
        return produced.every((ts) => ts === inFlightAtKill || stored.includes(ts));
      },
      { timeoutMs: 15_000, what: "every produced sample stored" },
    );
    const all = await storedTs();
    const missing = produced.filter((ts) => !all.includes(ts));
    expect(missing.filter((ts) => ts !== inFlightAtKill)).toEqual([]);
    expect(all).toEqual(produced.filter((ts) => !missing.includes(ts)));
    console.log(
      `${produced.length} samples produced, ${all.length} stored, missing: ${missing.join(", ") || "none"}`,
    );
    console.log(phases.join(", "));
    const journal = readFileSync(path.join(stateDir, "commands.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const starts = journal.filter((e) => e.t === "start").map((e) => e.id);
    expect(new Set(starts).size).toBe(starts.length);
    const commands = (await call("GET", "/api/v1/commands")).items.filter(
      (c: { hostId: string }) => c.hostId === hostId,
    );
    expect(commands.map((c: { status: string }) => c.status)).toEqual(["succeeded"]);
    expect(starts.sort()).toEqual(commands.map((c: { id: string }) => c.id).sort());
    expect(agent.output()).not.toMatch(/unsigned command|bad command signature/);
  });
});
