import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type CommandResult, LIMITS, reportRequestSchema, type Sample } from "../../agent/protocol";
import { ApiClient } from "../../agent/src/transport/client";
import { PendingQueue } from "../../agent/src/transport/queue";
import { Spool } from "../../agent/src/transport/spool";
import { SpoolQueue } from "../../agent/src/transport/spool-queue";
import { Uplink } from "../../agent/src/transport/uplink";
import { fakeServer, reportOk } from "./support/fake-server";
import { cleanup, onCleanup, quietLog, tempDir } from "./support/helpers";

afterEach(cleanup);

/** A sample about the size of a real one (a few mounts and services: ~1 KB). */
const sample = (i: number): Sample => ({
  ts: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i * 1000)).toISOString(),
  metrics: Object.fromEntries(Array.from({ length: 40 }, (_, k) => [`m${k}.value`, i + k / 100])),
});
const result = (id: string): CommandResult => ({
  commandId: id,
  status: "succeeded",
  exitCode: 0,
  output: "ok",
  durationMs: 1,
  finishedAt: "2026-01-01T00:10:00.000Z",
});

function spoolQueue(dir: string, cap?: number) {
  const q = new SpoolQueue(dir, cap);
  onCleanup(() => q.close());
  return q;
}

function uplinkTo(url: string, queue: SpoolQueue) {
  const client = new ApiClient({ server: url });
  onCleanup(() => client.close());
  return new Uplink({ client, token: "t", log: quietLog, intervalMs: () => 1000, queue, random: () => 0 });
}

describe("the offline spool", () => {
  it("keeps what it was given across a reopen, oldest first, until it is acknowledged", () => {
    const dir = tempDir();
    const a = new Spool(dir, 1024 * 1024);
    a.append([{ s: sample(1) }, { r: result("c1") }]);
    a.append([{ s: sample(2) }]);
    a.close();
    const b = new Spool(dir, 1024 * 1024);
    const read = b.read({ samples: 10, results: 10, bytes: 1e6 });
    expect(read.entries).toEqual([{ s: sample(1) }, { r: result("c1") }, { s: sample(2) }]);
    expect(b.size).toMatchObject({ samples: 2, results: 1 });
    b.ackTo(read.end);
    b.close();
    expect(new Spool(dir, 1024 * 1024).empty).toBe(true);
  });

  it("sends no more than asked for, and keeps the rest for the next batch", () => {
    const s = new Spool(tempDir(), 1024 * 1024);
    s.append([1, 2, 3, 4, 5].map((i) => ({ s: sample(i) })));
    const first = s.read({ samples: 2, results: 10, bytes: 1e6 });
    expect(first.entries).toHaveLength(2);
    expect(first.all).toBe(false);
    s.ackTo(first.end);
    const rest = s.read({ samples: 10, results: 10, bytes: 1e6 });
    expect(rest.entries).toEqual([3, 4, 5].map((i) => ({ s: sample(i) })));
    expect(rest.all).toBe(true);
    s.close();
  });

  it("drops the oldest entries at its byte cap and keeps the drop as a gap, across a reopen", () => {
    const dir = tempDir();
    const cap = 16 * 1024;
    const s = new Spool(dir, cap);
    for (let i = 0; i < 100; i++) s.append([{ s: sample(i) }]);
    expect(s.size.bytes).toBeLessThanOrEqual(cap);
    const gaps = s.gaps;
    const dropped = gaps.reduce((n, g) => n + g.samples, 0);
    expect(dropped).toBeGreaterThan(0);
    expect(dropped + s.size.samples).toBe(100);
    expect(gaps[0].from).toBe(sample(0).ts);
    // what is left starts right after the last dropped sample
    const kept = s.read({ samples: 1000, results: 10, bytes: 1e7 }).entries;
    expect(kept[0]).toEqual({ s: sample(dropped) });
    expect(gaps.at(-1)?.to).toBe(sample(dropped - 1).ts);
    s.close();
    const again = new Spool(dir, cap);
    expect(again.gaps).toEqual(gaps);
    again.ackGaps(gaps);
    expect(again.gaps).toEqual([]);
    again.close();
  });

  it("skips a line torn by a crash mid-append, and never appends after it", () => {
    const dir = tempDir();
    const s = new Spool(dir, 1024 * 1024);
    s.append([{ s: sample(1) }]);
    s.close();
    const [segment] = readdirSync(dir).filter((f) => f.endsWith(".jsonl"));
    appendFileSync(path.join(dir, segment), '{"s":{"ts":"2026-01-01T00:00:02.000Z","metr');
    const after = new Spool(dir, 1024 * 1024);
    expect(after.size.samples).toBe(1);
    after.append([{ s: sample(3) }]);
    const read = after.read({ samples: 10, results: 10, bytes: 1e6 });
    expect(read.entries).toEqual([{ s: sample(1) }, { s: sample(3) }]);
    after.ackTo(read.end);
    expect(after.empty).toBe(true);
    after.close();
  });
});

describe("the spool-backed report queue", () => {
  it("keeps samples in memory while the edge answers, and results on disk at once", () => {
    const dir = tempDir();
    const q = spoolQueue(dir);
    q.addSample(sample(1));
    expect(q.spool.size.samples).toBe(0);
    q.addResult(result("c1"));
    expect(q.spool.size.results).toBe(1);
    const batch = q.take();
    expect(batch.samples).toEqual([sample(1)]);
    expect(batch.results.map((r) => r.commandId)).toEqual(["c1"]);
    q.ack(batch);
    expect(q.size).toEqual({ samples: 0, results: 0 });
    expect(readdirSync(dir).filter((f) => f.endsWith(".jsonl"))).toEqual([]);
  });

  it("after a failed report spools everything, survives a restart and sends it in order", async () => {
    let up = false;
    const server = await fakeServer(() => (up ? reportOk() : { status: 503, body: {} }));
    const dir = tempDir();
    const first = spoolQueue(dir);
    const uplink = uplinkTo(server.url, first);
    for (let i = 0; i < 5; i++) {
      first.addSample(sample(i));
      expect((await uplink.send("interval", [])).ok).toBe(false);
    }
    first.addResult(result("c1"));
    expect(first.spool.size).toMatchObject({ samples: 5, results: 1 });
    first.close(); // the agent restarts during the outage

    const second = spoolQueue(dir);
    second.addSample(sample(5));
    expect(second.spool.size.samples).toBe(6); // still offline: straight to disk
    up = true;
    expect((await uplinkTo(server.url, second).send("backfill", undefined)).ok).toBe(true);
    const body = server.seen.at(-1)?.body;
    expect(reportRequestSchema.safeParse(body).success).toBe(true);
    expect(body.samples.map((s: Sample) => s.ts)).toEqual([0, 1, 2, 3, 4, 5].map((i) => sample(i).ts));
    expect(body.results.map((r: CommandResult) => r.commandId)).toEqual(["c1"]);
    expect(second.size).toEqual({ samples: 0, results: 0 });
    second.addSample(sample(6));
    expect(second.spool.size.samples).toBe(0); // online again: memory
  });

  it("drops the samples the edge refuses by their time and delivers the rest, without wedging", async () => {
    // The edge keeps nothing older than its retention: here, samples before i = 300.
    const cutoff = Date.parse(sample(300).ts);
    const server = await fakeServer((req) => {
      const old = (req.body.samples as Sample[]).flatMap((s, i) => (Date.parse(s.ts) < cutoff ? [i] : []));
      if (!old.length) return reportOk();
      const issues = old.map((i) => ({ path: `samples.${i}.ts`, message: "older than the org's retention" }));
      return {
        status: 400,
        body: { error: { code: "BAD_REQUEST", message: "invalid body", requestId: "r", issues } },
      };
    });
    const q = spoolQueue(tempDir());
    q.spill();
    q.spool.append(Array.from({ length: 900 }, (_, i) => ({ s: sample(i) })));
    const uplink = uplinkTo(server.url, q);
    for (let round = 0; q.size.samples > 0; round++) {
      expect(round).toBeLessThan(20);
      expect((await uplink.send("backfill", undefined)).ok).toBe(true);
    }
    const accepted = server.seen.filter((s) =>
      s.body.samples.every((x: Sample) => Date.parse(x.ts) >= cutoff),
    );
    const delivered = accepted.flatMap((s) => s.body.samples.map((x: Sample) => x.ts));
    expect(delivered).toEqual(Array.from({ length: 600 }, (_, i) => sample(300 + i).ts));
  });

  it("drains a long backlog in report-sized batches, removing each only once it is accepted", async () => {
    let fail = false;
    const server = await fakeServer(() => (fail ? { status: 503, body: {} } : reportOk()));
    const dir = tempDir();
    const q = spoolQueue(dir);
    q.spill(); // offline from now on
    q.spool.append(Array.from({ length: 1500 }, (_, i) => ({ s: sample(i) }))); // one fsync: quicker
    const uplink = uplinkTo(server.url, q);
    expect((await uplink.send("backfill", undefined)).ok).toBe(true);
    const firstBatch = server.seen[0].body.samples.length;
    expect(firstBatch).toBeGreaterThan(0);
    expect(firstBatch).toBeLessThanOrEqual(LIMITS.samplesPerReport); // never everything at once
    expect(JSON.stringify(server.seen[0].body).length).toBeLessThan(LIMITS.reportBytes);
    fail = true;
    expect((await uplink.send("backfill", undefined)).ok).toBe(false);
    expect(q.size.samples).toBe(1500 - firstBatch);
    fail = false;
    while (q.size.samples > 0) expect((await uplink.send("backfill", undefined)).ok).toBe(true);
    // every sample once, in order, counting only the reports the server accepted (not the 503)
    const accepted = server.seen
      .filter((_, i) => i !== 1)
      .flatMap((s) => s.body.samples.map((x: Sample) => x.ts));
    expect(accepted).toEqual(Array.from({ length: 1500 }, (_, i) => sample(i).ts));
  });

  it("tells the edge about a gap once, with the first report that gets through", async () => {
    const server = await fakeServer(() => reportOk());
    const q = spoolQueue(tempDir(), 16 * 1024);
    q.spill();
    for (let i = 0; i < 100; i++) q.addSample(sample(i));
    const uplink = uplinkTo(server.url, q);
    expect((await uplink.send("backfill", undefined)).ok).toBe(true);
    const gaps = server.seen[0].body.gaps;
    expect(gaps[0]).toMatchObject({ from: sample(0).ts });
    expect(
      gaps.reduce((n: number, g: { samples: number }) => n + g.samples, 0) +
        server.seen[0].body.samples.length,
    ).toBe(100);
    expect((await uplink.send("backfill", undefined)).ok).toBe(true);
    expect(server.seen[1].body.gaps).toBeUndefined();
  });

  it("at shutdown writes out what waits in memory, so a restart sends it", async () => {
    const server = await fakeServer(() => reportOk());
    const dir = tempDir();
    const first = spoolQueue(dir);
    first.addSample(sample(1));
    uplinkTo(server.url, first).persist(); // what Runner.stop does
    first.close();
    const second = spoolQueue(dir);
    expect(second.take().samples).toEqual([sample(1)]);
  });

  it("keeps samples and results in memory, and says so, when the disk refuses them", () => {
    const dir = tempDir();
    const errors: unknown[] = [];
    const q = new SpoolQueue(path.join(dir, "spool"), undefined, (err) => errors.push(err));
    q.spill(); // offline: everything is meant for the disk
    rmSync(path.join(dir, "spool"), { recursive: true });
    writeFileSync(path.join(dir, "spool"), "not a directory any more");
    q.addSample(sample(1));
    q.addResult(result("c1"));
    expect(errors).toHaveLength(2);
    expect(q.take()).toMatchObject({ samples: [sample(1)], results: [result("c1")] });
  });

  it("in memory only, still reports what its cap dropped as a gap", () => {
    const q = new PendingQueue({ samples: 3, results: 3 });
    for (let i = 0; i < 5; i++) q.addSample(sample(i));
    expect(q.take().gaps).toEqual([{ from: sample(0).ts, to: sample(1).ts, samples: 2 }]);
  });

  it("writes whole JSON lines, one entry each", () => {
    const dir = tempDir();
    const q = spoolQueue(dir);
    q.spill();
    q.addSample(sample(1));
    q.addResult(result("c9"));
    const [segment] = readdirSync(dir).filter((f) => f.endsWith(".jsonl"));
    const lines = readFileSync(path.join(dir, segment), "utf8").trim().split("\n");
    expect(lines.map((l) => Object.keys(JSON.parse(l)))).toEqual([["s"], ["r"]]);
  });
});
