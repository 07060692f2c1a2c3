/**
 * One HTTP(S) request on node:http/node:https with undici's four timeouts: connect (TCP + TLS),
 * headers (request sent → status line), body (idle time between chunks) and overall.
 * node:http rather than undici: undici's wasm HTTP parser alone cost the agent ~18 MB of RSS.
 */
import http from "node:http";
import type { Socket } from "node:net";
import { httpsModule } from "../builtins";

export interface HttpRequest {
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** A keep-alive agent (http.Agent or https.Agent, matching the URL), or false for a fresh connection. */
  agent?: http.Agent | false;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Bodies past this are an error, or, with `truncate`, cut there (the connection is dropped). */
  maxBodyBytes: number;
  truncate?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Whether the request went over a kept-alive connection that had served an earlier one. */
  reused: boolean;
}

/** A phase took too long; the message names the phase. */
export class HttpTimeoutError extends Error {
  override name = "TimeoutError";
}

export function httpRequest(url: URL, opts: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === "https:" ? httpsModule() : http;
    let phase: NodeJS.Timeout | undefined;
    let settled = false;
    let reused = false;
    const finish = (err: Error | undefined, res?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(phase);
      clearTimeout(overall);
      opts.signal?.removeEventListener("abort", onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(res as HttpResponse);
    };
    const arm = (ms: number, what: string) => {
      clearTimeout(phase);
      phase = setTimeout(() => finish(new HttpTimeoutError(`${what} timeout (${ms} ms)`)), ms);
    };
    const onAbort = () => finish(abortError(opts.signal?.reason));
    const overall = setTimeout(
      () => finish(new HttpTimeoutError(`request timeout (${opts.timeoutMs} ms)`)),
      opts.timeoutMs,
    );

    const req = mod.request(url, { method: opts.method, headers: opts.headers, agent: opts.agent });
    if (opts.signal?.aborted) return finish(abortError(opts.signal.reason));
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    // a kept-alive socket the server closed while idle: the caller may try once more on a fresh one
    req.on("error", (err) => finish(reused ? Object.assign(err, { reusedSocket: true }) : err));
    req.on("socket", (socket: Socket) => {
      if (!socket.connecting) {
        reused = true;
        return arm(opts.headersTimeoutMs, "headers");
      }
      arm(opts.connectTimeoutMs, "connect");
      // a TLS socket is usable once the handshake is done, not at the TCP connect
      socket.once("encrypted" in socket ? "secureConnect" : "connect", () => {
        if (!settled) arm(opts.headersTimeoutMs, "headers");
      });
    });
    req.on("response", (res) => {
      arm(opts.bodyTimeoutMs, "body");
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () =>
        finish(undefined, {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
          reused,
        });
      res.on("data", (chunk: Buffer) => {
        arm(opts.bodyTimeoutMs, "body");
        if (size + chunk.length > opts.maxBodyBytes) {
          if (!opts.truncate) return finish(new Error(`response body over ${opts.maxBodyBytes} bytes`));
          chunks.push(chunk.subarray(0, opts.maxBodyBytes - size));
          size = opts.maxBodyBytes;
          done();
          return req.destroy();
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on("end", done);
      res.on("error", (err) => finish(err));
      res.on("aborted", () => finish(new Error("response aborted")));
    });
    req.end(opts.body);
  });
}

function abortError(reason: unknown): Error {
  if (reason instanceof Error) return reason;
  const err = new Error("the request was aborted");
  err.name = "AbortError";
  return err;
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
