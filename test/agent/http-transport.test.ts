import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { httpCheck } from "../../agent/src/services/probes";
import { ApiClient } from "../../agent/src/transport/client";
import { HttpError, NetworkError } from "../../agent/src/transport/errors";
import { retryAfterMs } from "../../agent/src/transport/http";
import { reportOk } from "./support/fake-server";
import { cleanup, onCleanup, tempDir } from "./support/helpers";

afterEach(cleanup);

const report = { protocol: 1 as const, samples: [] };
let tls: { key: Buffer; cert: Buffer };

beforeAll(() => {
  // a self-signed certificate for 127.0.0.1, made here: it is its own CA
  const dir = tempDir("selfheal-https-");
  const [key, cert] = [path.join(dir, "key.pem"), path.join(dir, "cert.pem")];
  const subj = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"];
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", ...subj],
    { stdio: "ignore" },
  );
  tls = { key: readFileSync(key), cert: readFileSync(cert) };
});

async function listen<S extends net.Server>(server: S, scheme: "http" | "https" = "http") {
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  onCleanup(
    () =>
      new Promise<void>((ok) => {
        (server as unknown as http.Server).closeAllConnections?.();
        server.close(() => ok());
      }),
  );
  return `${scheme}://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

function clientFor(server: string, opts: Partial<ConstructorParameters<typeof ApiClient>[0]> = {}) {
  const client = new ApiClient({ server, ...opts });
  onCleanup(() => client.close());
  return client;
}

/** Answers every request like the edge's report endpoint; counts TLS/TCP connections. */
function edge(secure: boolean) {
  let connections = 0;
  const handler: http.RequestListener = (req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(reportOk().body));
    });
  };
  const server = secure ? https.createServer(tls, handler) : http.createServer(handler);
  server.on(secure ? "secureConnection" : "connection", () => connections++);
  return { server, connections: () => connections };
}

describe("the agent's HTTP client", () => {
  it("reports to an https edge whose certificate it trusts, over one kept-alive connection", async () => {
    const { server, connections } = edge(true);
    const client = clientFor(await listen(server, "https"), { ca: tls.cert });
    for (let i = 0; i < 3; i++) {
      const answer = await client.report("t", report);
      expect(answer.settings.intervalSeconds).toBe(30);
    }
    expect(connections()).toBe(1);
  });

  it("refuses an https edge whose certificate it does not trust", async () => {
    const { server } = edge(true);
    const client = clientFor(await listen(server, "https"));
    await expect(client.report("t", report)).rejects.toThrow(/self[- ]signed/i);
  });

  it("gives up on a TLS handshake that never completes within the connect timeout", async () => {
    const silent = net.createServer((socket) => socket.resume()); // accepts TCP, never speaks TLS
    const client = clientFor(await listen(silent, "https"), { connectTimeoutMs: 200, ca: tls.cert });
    const started = Date.now();
    await expect(client.report("t", report)).rejects.toThrow(/connect timeout/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("gives up on a body that stalls within the body timeout", async () => {
    const stall = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"commands":');
    });
    const client = clientFor(await listen(stall), { bodyTimeoutMs: 200 });
    await expect(client.report("t", report)).rejects.toThrow(/body timeout/);
  });

  it("gives up on a body that trickles past the overall timeout", async () => {
    const trickle = http.createServer((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write(" "), 50);
      res.on("close", () => clearInterval(timer));
    });
    const client = clientFor(await listen(trickle), { bodyTimeoutMs: 5_000, requestTimeoutMs: 400 });
    await expect(client.report("t", report)).rejects.toThrow(/request timeout/);
  });

  it("passes on the server's Retry-After with a refusal", async () => {
    const busy = http.createServer((_req, res) => {
      res.writeHead(503, { "retry-after": "7" });
      res.end('{"error":{"code":"UNAVAILABLE","message":"busy"}}');
    });
    const err = await clientFor(await listen(busy))
      .report("t", report)
      .catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ status: 503, retryAfterMs: 7_000, retryable: true });
    expect(err.message).toMatch(/UNAVAILABLE busy/);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  it("retries once on a fresh connection when the server dropped the kept-alive one", async () => {
    // answers the first request on each connection, then drops the connection at the next one
    const served = new WeakMap<net.Socket, number>();
    let connections = 0;
    const flaky = http.createServer((req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      if (n > 1) return req.socket.destroy();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(reportOk().body));
    });
    flaky.on("connection", () => connections++);
    const client = clientFor(await listen(flaky));
    await client.report("t", report);
    await client.report("t", report);
    expect(connections).toBe(2);
  });

  it("does not retry a connection refused", async () => {
    const client = clientFor("http://127.0.0.1:1");
    await expect(client.report("t", report)).rejects.toBeInstanceOf(NetworkError);
  });
});

describe("the http health check", () => {
  it("judges by the status without reading an endless body", async () => {
    const endless = http.createServer((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write("x".repeat(16 * 1024)), 5);
      res.on("close", () => clearInterval(timer));
    });
    const outcome = await httpCheck(await listen(endless), 3_000);
    expect(outcome).toMatchObject({ ok: true, detail: expect.stringMatching(/^http 200 in \d+ ms$/) });
  });

  it("reports a service that does not answer in time", async () => {
    const mute = http.createServer(() => {});
    expect(await httpCheck(await listen(mute), 300)).toEqual({
      ok: false,
      detail: "http no answer within 300 ms",
    });
  });

  it("reports a non-2xx answer as down with its status", async () => {
    const failing = http.createServer((_req, res) => {
      res.writeHead(502);
      res.end("bad gateway");
    });
    expect(await httpCheck(await listen(failing), 1_000)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^http 502 in/),
    });
  });

  it("checks an https service over TLS", async () => {
    const { server } = edge(true);
    const outcome = await httpCheck(await listen(server, "https"), 2_000);
    // the check trusts Node's CA list only, like undici did: a self-signed service is not "up"
    expect(outcome).toMatchObject({ ok: false, detail: expect.stringMatching(/self[- ]signed/i) });
  });
});
