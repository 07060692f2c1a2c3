/**
 * The offline spool and exactly-once commands through the agent's whole loop (Runner), against a stand-in edge: commands run once
 * whatever the edge re-sends, an interrupted command is reported failed and never re-run, and
 * samples taken while the edge is down survive an agent restart.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CommandJournal } from "../../agent/src/actions/journal";
import { MetricsCollector } from "../../agent/src/collectors";
import { Runner } from "../../agent/src/runner";
import { ensureStateDir } from "../../agent/src/state-dir";
import { ApiClient } from "../../agent/src/transport/client";
import { fakeServer, type Reply, reportOk, type Seen } from "./support/fake-server";
import { cleanup, configFor, memoryLog, onCleanup, tempDir, waitFor } from "./support/helpers";

afterEach(cleanup);

const later = () => new Date(Date.now() + 60_000).toISOString();
let cpu = 0;
const counting = () => new MetricsCollector([{ name: "n", collect: () => ({ cpu: ++cpu }) }]);

/** A runner on `stateDir` against a stand-in edge; stopped at cleanup. */
async function runner(url: string, stateDir: string) {
  const config = configFor({ server: url, interval: 1 }, stateDir);
  const paths = ensureStateDir(config.stateDir);
  const { log, lines } = memoryLog();
  const r = new Runner({
    config,
    paths,
    client: new ApiClient({ server: url }),
    agentToken: "t",
    log,
    collector: counting(),
    shutdownGraceMs: 300,
  });
  onCleanup(() => r.stop());
  await r.start();
  return { runner: r, paths, lines };
}

const resultsFor = (seen: Seen[], id: string) =>
  seen.flatMap((s) => (s.body?.results ?? []).filter((r: { commandId: string }) => r.commandId === id));
const journalLines = (file: string, id: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.includes(`"id":"${id}"`));

describe("exactly once, through the agent loop", () => {
  it("runs a command the edge hands out again and again once, and reports it once", async () => {
    const command = { id: "cmd-again", action: "health_check", expiresAt: later() };
    const server = await fakeServer(() => reportOk([command], 1));
    const { paths } = await runner(server.url, tempDir());
    await waitFor(() => server.seen.length >= 5, 10_000, "five reports");
    expect(resultsFor(server.seen, "cmd-again")).toEqual([expect.objectContaining({ status: "succeeded" })]);
    expect(journalLines(paths.journal, "cmd-again").filter((l) => l.includes('"t":"start"'))).toHaveLength(1);
  });

  it("reports a command the agent died in the middle of as failed, and never runs it again", async () => {
    const stateDir = tempDir();
    const paths = ensureStateDir(stateDir);
    new CommandJournal(paths.journal).recordStart("cmd-half", "health_check"); // then the crash
    const command = { id: "cmd-half", action: "health_check", expiresAt: later() };
    const server = await fakeServer(() => reportOk([command], 1));
    await runner(server.url, stateDir);
    await waitFor(() => server.seen.length >= 3, 10_000, "three reports");
    expect(resultsFor(server.seen, "cmd-half")).toEqual([
      expect.objectContaining({ status: "failed", output: expect.stringMatching(/not retried/) }),
    ]);
    expect(journalLines(paths.journal, "cmd-half")).toHaveLength(1); // the start from before the crash only
  });
});

describe("the spool, through the agent loop", () => {
  it("keeps what was collected while the edge was down across an agent restart, and sends it in order", async () => {
    let up = false;
    const server = await fakeServer((): Reply => (up ? reportOk([], 1) : { status: 503, body: {} }));
    const stateDir = tempDir();
    const first = await runner(server.url, stateDir);
    const spoolDir = path.join(stateDir, "spool");
    await waitFor(() => server.seen.length >= 3, 10_000, "three failed reports");
    await first.runner.stop();
    expect(readdirSync(spoolDir).some((f) => f.endsWith(".jsonl"))).toBe(true);
    const taken = new Set(server.seen.flatMap((s) => s.body.samples.map((x: { ts: string }) => x.ts)));

    up = true;
    const before = server.seen.length;
    await runner(server.url, stateDir);
    await waitFor(() => server.seen.length >= before + 2, 10_000, "reports after the restart");
    const delivered = server.seen
      .slice(before)
      .flatMap((s) => s.body.samples.map((x: { ts: string }) => x.ts));
    for (const ts of taken) expect(delivered).toContain(ts);
    expect(delivered).toEqual([...delivered].sort());
    expect(new Set(delivered).size).toBe(delivered.length);
  });
});
