/** A stand-in for the edge API, only for the agent's transport and loop unit tests (end-to-end tests use the real Worker). */
import http from "node:http";
import type net from "node:net";
import { onCleanup } from "./helpers";

export interface Seen {
  method: string;
  url: string;
  auth?: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the agent sent
  body: any;
  at: number;
}

export type Reply = { status: number; body?: unknown; delayMs?: number; raw?: string };

export async function fakeServer(reply: (req: Seen, n: number) => Reply | Promise<Reply>) {
  const seen: Seen[] = [];
  const server = http.createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const s: Seen = {
      method: req.method ?? "",
      url: req.url ?? "",
      auth: req.headers.authorization,
      body: text ? JSON.parse(text) : undefined,
      at: Date.now(),
    };
    seen.push(s);
    const r = await reply(s, seen.length);
    if (r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
    if (res.destroyed) return;
    res.writeHead(r.status, { "content-type": "application/json" });
    res.end(r.raw ?? JSON.stringify(r.body ?? {}));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  onCleanup(close);
  return { url, seen, close };
}

export const settings = (intervalSeconds = 30) => ({
  enabled: true,
  intervalSeconds,
  thresholds: {
    cpu_warning: 70,
    cpu_critical: 90,
    memory_warning: 80,
    memory_critical: 95,
    disk_warning: 85,
    disk_critical: 95,
  },
});

export const reportOk = (commands: unknown[] = [], intervalSeconds = 30): Reply => ({
  status: 200,
  body: { commands, settings: settings(intervalSeconds), serverTime: new Date().toISOString() },
});

export const apiError = (status: number, code: string, message: string): Reply => ({
  status,
  body: { error: { code, message, requestId: "req_test" } },
});
