import { getEventListeners } from "node:events";
import { statSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reportRequestSchema } from "../../agent/protocol";
import { FatalError, obtainAgentToken, readStoredToken } from "../../agent/src/enroll";
import { Backoff } from "../../agent/src/transport/backoff";
import { ApiClient } from "../../agent/src/transport/client";
import { AuthError, NetworkError } from "../../agent/src/transport/errors";
import { PendingQueue } from "../../agent/src/transport/queue";
import { Uplink } from "../../agent/src/transport/uplink";
import { apiError, fakeServer, reportOk } from "./support/fake-server";
import { cleanup, freePort, memoryLog, onCleanup, quietLog, tempDir } from "./support/helpers";

afterEach(cleanup);

const sample = (i: number) => ({
  ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  metrics: { cpu: i },
});

function clientFor(url: string, opts: Partial<ConstructorParameters<typeof ApiClient>[0]> = {}) {
  const client = new ApiClient({ server: url, ...opts });
  onCleanup(() => client.close());
  return client;
}

function uplinkFor(url: string, intervalMs = 10_000) {
  return new Uplink({
    client: clientFor(url),
    token: "agent-token",
    log: quietLog,
    intervalMs: () => intervalMs,
    random: () => 1,
  });
}

describe("reporting to the server", () => {
  it("sends a protocol-valid report with the agent token and empties the queue once accepted", async () => {
    const server = await fakeServer(() =>
      reportOk([{ id: "c1", action: "health_check", expiresAt: "x" }], 10),
    );
    const uplink = uplinkFor(server.url);
    uplink.queue.addSample(sample(1));
    const outcome = await uplink.send("interval", [{ name: "web", kind: "process", status: "up" }]);
    expect(outcome.ok).toBe(true);
    if (outcome.ok) expect(outcome.response?.settings.intervalSeconds).toBe(10);
    if (outcome.ok) expect(outcome.response?.commands).toHaveLength(1);
    const req = server.seen[0];
    expect(req).toMatchObject({ method: "POST", url: "/api/v1/agent/report", auth: "Bearer agent-token" });
    expect(reportRequestSchema.safeParse(req.body).success).toBe(true);
    expect(req.body).toMatchObject({ protocol: 1, reason: "interval", samples: [sample(1)] });
    expect(uplink.queue.size).toEqual({ samples: 0, results: 0 });
  });

  it("keeps samples and results through server errors and sends them as backfill, oldest first", async () => {
    let fail = true;
    const server = await fakeServer(() =>
      fail ? apiError(503, "INTERNAL", "down for maintenance") : reportOk(),
    );
    const uplink = uplinkFor(server.url);
    uplink.queue.addSample(sample(1));
    uplink.queue.addResult({
      commandId: "c1",
      status: "succeeded",
      exitCode: 0,
      output: "",
      durationMs: 1,
      finishedAt: new Date().toISOString(),
    });
    const failed = await uplink.send("interval", []);
    expect(failed).toMatchObject({ ok: false, fatal: false });
    uplink.queue.addSample(sample(2));
    fail = false;
    expect((await uplink.send("backfill", [])).ok).toBe(true);
    expect(server.seen[1].body.reason).toBe("backfill");
    expect(server.seen[1].body.samples).toEqual([sample(1), sample(2)]);
    expect(server.seen[1].body.results.map((r: { commandId: string }) => r.commandId)).toEqual(["c1"]);
    expect(uplink.queue.size).toEqual({ samples: 0, results: 0 });
  });

  it("treats 401 as fatal and says so", async () => {
    const server = await fakeServer(() => apiError(401, "UNAUTHORIZED", "token revoked"));
    const outcome = await uplinkFor(server.url).send("interval", []);
    expect(outcome).toMatchObject({ ok: false, fatal: true });
    if (!outcome.ok) {
      expect(outcome.error).toBeInstanceOf(AuthError);
      expect(outcome.error.message).toContain("401: UNAUTHORIZED token revoked");
    }
  });

  it("drops a report the server refuses as invalid instead of resending it forever", async () => {
    const server = await fakeServer(() => apiError(400, "BAD_REQUEST", "samples.0.ts: invalid"));
    const { log, lines } = memoryLog();
    const uplink = new Uplink({ client: clientFor(server.url), token: "t", log, intervalMs: () => 1000 });
    uplink.queue.addSample(sample(1));
    const outcome = await uplink.send("interval", []);
    expect(outcome).toMatchObject({ ok: false, fatal: false });
    expect("retryInMs" in outcome).toBe(false);
    expect(uplink.queue.size.samples).toBe(0);
    expect(lines.join("\n")).toMatch(/server refused the report, dropping it: .*400/);
  });

  it("gives up on a server that does not answer within the headers timeout", async () => {
    const server = await fakeServer(() => ({ ...reportOk(), delayMs: 2_000 }));
    const client = clientFor(server.url, { headersTimeoutMs: 200 });
    const started = Date.now();
    await expect(client.report("t", { protocol: 1, samples: [] })).rejects.toBeInstanceOf(NetworkError);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("fails fast with a network error when nothing listens", async () => {
    const client = clientFor(`http://127.0.0.1:${await freePort()}`);
    await expect(client.report("t", { protocol: 1, samples: [] })).rejects.toThrow(/ECONNREFUSED/);
  });

  it("accepts a 2xx with an unusable body without resending the report", async () => {
    const server = await fakeServer(() => ({ status: 200, raw: "<html>proxy</html>" }));
    const uplink = uplinkFor(server.url);
    uplink.queue.addSample(sample(1));
    expect(await uplink.send("interval", [])).toEqual({ ok: true });
    expect(uplink.queue.size.samples).toBe(0);
  });

  it("leaves no listener behind on the long-lived shutdown signal", async () => {
    const server = await fakeServer(() => reportOk());
    const client = clientFor(server.url);
    const shutdown = new AbortController();
    for (let i = 0; i < 15; i++) await client.report("t", { protocol: 1, samples: [] }, shutdown.signal);
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(0);
  });

  it("can be aborted on shutdown", async () => {
    const server = await fakeServer(() => ({ ...reportOk(), delayMs: 5_000 }));
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const started = Date.now();
    await expect(
      clientFor(server.url).report("t", { protocol: 1, samples: [] }, abort.signal),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe("backoff and the pending queue", () => {
  it("backs off exponentially, capped at the report interval, with jitter in the upper half", () => {
    const top = new Backoff({ capMs: () => 10_000, random: () => 1 });
    expect([1, 2, 3, 4, 5, 6].map(() => top.next())).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    const bottom = new Backoff({ capMs: () => 10_000, random: () => 0 });
    expect([1, 2].map(() => bottom.next())).toEqual([500, 1000]);
    top.reset();
    expect(top.next()).toBe(1000);
  });

  it("keeps at most its cap of samples, dropping the oldest", () => {
    const q = new PendingQueue({ samples: 3, results: 2 });
    for (let i = 1; i <= 5; i++) q.addSample(sample(i));
    expect(q.take().samples).toEqual([sample(3), sample(4), sample(5)]);
    expect(q.dropped.samples).toBe(2);
  });

  it("fills a report up to a byte budget and leaves the rest for the next one, oldest first", () => {
    const q = new PendingQueue();
    for (let i = 1; i <= 10; i++) q.addSample(sample(i));
    const size = JSON.stringify(sample(1)).length + 1;
    const first = q.take(size * 4);
    expect(first.samples).toEqual([1, 2, 3, 4].map(sample));
    q.ack(first);
    expect(q.take(size * 4).samples[0]).toEqual(sample(5));
  });

  it("forgets only what was sent: items queued during a request stay", () => {
    const q = new PendingQueue();
    q.addSample(sample(1));
    const batch = q.take();
    q.addSample(sample(2));
    q.ack(batch);
    expect(q.take().samples).toEqual([sample(2)]);
  });
});

describe("enrolment", () => {
  it("trades the enroll token for an agent token, stores it 0600 and reuses it", async () => {
    const server = await fakeServer(() => ({
      status: 201,
      body: { hostId: "host_1", agentToken: "agent-secret" },
    }));
    const dir = tempDir();
    const tokenFile = path.join(dir, "agent-token.json");
    const deps = {
      server: server.url,
      enrollToken: "enroll-1",
      name: "box",
      tokenFile,
      keyFile: `${tokenFile}.key`,
      client: clientFor(server.url),
      log: quietLog,
      retryCapMs: 1000,
    };
    const first = await obtainAgentToken(deps);
    expect(first).toMatchObject({ hostId: "host_1", agentToken: "agent-secret", server: server.url });
    expect(server.seen[0]).toMatchObject({ url: "/api/v1/agent/enroll", auth: "Bearer enroll-1" });
    expect(server.seen[0].body).toMatchObject({
      name: "box",
      agentVersion: "0.1.0",
      platform: "linux",
      publicKey: expect.any(String),
      proof: { at: expect.any(String), signature: expect.any(String) },
    });
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(readStoredToken(tokenFile)?.agentToken).toBe("agent-secret");
    await obtainAgentToken(deps);
    expect(server.seen).toHaveLength(1);
  });

  it("stops with a clear message when the enroll token is refused", async () => {
    const server = await fakeServer(() => apiError(401, "UNAUTHORIZED", "unknown token"));
    const tokenFile = path.join(tempDir(), "agent-token.json");
    const err = await obtainAgentToken({
      server: server.url,
      enrollToken: "bad",
      name: "box",
      tokenFile,
      keyFile: `${tokenFile}.key`,
      client: clientFor(server.url),
      log: quietLog,
      retryCapMs: 1000,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect(err.exitCode).toBe(77);
    expect(err.message).toMatch(/refused the enroll token \(401\)/);
  });

  it("retries enrolment with backoff while the server is unreachable", async () => {
    let n = 0;
    const server = await fakeServer(() =>
      ++n < 3
        ? apiError(502, "INTERNAL", "bad gateway")
        : { status: 200, body: { hostId: "h", agentToken: "a" } },
    );
    const tokenFile = path.join(tempDir(), "agent-token.json");
    const started = Date.now();
    const got = await obtainAgentToken({
      server: server.url,
      enrollToken: "e",
      name: "box",
      tokenFile,
      keyFile: `${tokenFile}.key`,
      client: clientFor(server.url),
      log: quietLog,
      retryCapMs: 400,
    });
    expect(got?.agentToken).toBe("a");
    expect(server.seen).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });
});
