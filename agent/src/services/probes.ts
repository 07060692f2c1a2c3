/** Optional health checks on top of "the process is alive": an HTTP 2xx or a TCP connect, each within timeoutMs. */
import net from "node:net";
import type { CheckConfig } from "../config/schema";
import { httpRequest } from "../transport/http";
import { errorMessage } from "../util";

export interface CheckOutcome {
  ok: boolean;
  detail: string;
}

export async function httpCheck(url: string, timeoutMs: number): Promise<CheckOutcome> {
  const started = Date.now();
  try {
    const res = await httpRequest(new URL(url), {
      method: "GET",
      // a fresh connection each time: a kept-alive socket to a restarted service would fail spuriously
      agent: false,
      headers: { "user-agent": "selfheal-agent health check" },
      connectTimeoutMs: timeoutMs,
      headersTimeoutMs: timeoutMs,
      bodyTimeoutMs: timeoutMs,
      timeoutMs,
      // only the status counts: a big or endless body is not read to its end
      maxBodyBytes: 64 * 1024,
      truncate: true,
    });
    const ms = Date.now() - started;
    const ok = res.status >= 200 && res.status < 300;
    return { ok, detail: `http ${res.status} in ${ms} ms` };
  } catch (err) {
    const timedOut = (err as Error).name === "TimeoutError";
    return {
      ok: false,
      detail: timedOut ? `http no answer within ${timeoutMs} ms` : `http ${errorMessage(err)}`,
    };
  }
}

export function tcpCheck(hostPort: string, timeoutMs: number): Promise<CheckOutcome> {
  const colon = hostPort.lastIndexOf(":");
  const host = hostPort.slice(0, colon).replace(/^\[|\]$/g, "");
  const port = Number(hostPort.slice(colon + 1));
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (outcome: CheckOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => done({ ok: false, detail: `tcp no connect within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once("connect", () => done({ ok: true, detail: `tcp connected in ${Date.now() - started} ms` }));
    socket.once("error", (err) => done({ ok: false, detail: `tcp ${errorMessage(err)}` }));
  });
}

export function runCheck(check: CheckConfig): Promise<CheckOutcome> {
  return "http" in check ? httpCheck(check.http, check.timeoutMs) : tcpCheck(check.tcp, check.timeoutMs);
}
