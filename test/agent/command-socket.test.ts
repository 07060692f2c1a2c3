import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { WebSocketServer } from "ws";
import { CommandSocket } from "../../agent/src/transport/socket";
import { cleanup, memoryLog, onCleanup, waitFor } from "./support/helpers";

afterEach(cleanup);

const healthCheck = (id: string) => ({
  id,
  action: "health_check",
  issueId: null,
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
});

/** A real WebSocket server on a real port; `refuse` answers upgrades with that status instead. */
async function edge(refuse?: number) {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const sockets: WebSocket[] = [];
  const auth: (string | undefined)[] = [];
  if (refuse)
    server.on("upgrade", (_req, socket) => socket.end(`HTTP/1.1 ${refuse} No\r\ncontent-length: 0\r\n\r\n`));
  else
    new WebSocketServer({ server }).on("connection", (ws, req) => {
      auth.push(req.headers.authorization);
      sockets.push(ws);
      ws.on("message", (data: WebSocket.RawData) => data.toString() === "ping" && ws.send("pong"));
    });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  onCleanup(() => {
    for (const ws of sockets) ws.terminate();
  });
  const url = new URL(
    `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/agent/commands/socket`,
  );
  return { url, sockets, auth };
}

function socketTo(url: URL) {
  const got: unknown[][] = [];
  let unavailable = 0;
  const { log, lines } = memoryLog();
  const socket = new CommandSocket({
    url,
    token: "agent-token",
    log,
    onCommands: async (commands) => {
      got.push(commands);
    },
    onUnavailable: () => unavailable++,
    random: () => 0,
  });
  onCleanup(() => socket.stop());
  socket.start();
  return { got, unavailable: () => unavailable, lines };
}

describe("the command socket", { timeout: 20_000 }, () => {
  it("runs the commands the edge pushes, sent with the agent's token, and ignores what is not the protocol's", async () => {
    const e = await edge();
    const s = socketTo(e.url);
    const ws = await waitFor(() => e.sockets[0], 5000, "the socket");
    expect(e.auth).toEqual(["Bearer agent-token"]);
    ws.send("not json");
    const command = healthCheck("cmd_1");
    ws.send(JSON.stringify({ commands: [command] }));
    await waitFor(() => s.got.length === 1, 5000, "the command");
    expect(s.got).toEqual([[command]]);
    expect(s.lines.some((l) => l.includes("not the protocol's"))).toBe(true);
  });

  it("connects again when the edge closes the socket, and keeps running what arrives", async () => {
    const e = await edge();
    const s = socketTo(e.url);
    (await waitFor(() => e.sockets[0], 5000, "the first socket")).close(1001, "restarting");
    const second = await waitFor(() => e.sockets[1], 10_000, "a second socket");
    second.send(JSON.stringify({ commands: [healthCheck("cmd_2")] }));
    await waitFor(() => s.got.length === 1, 5000, "the command on the new socket");
    expect(s.unavailable()).toBe(0);
  });

  it("hands over to the long-poll when the edge has no socket", async () => {
    const e = await edge(404);
    const s = socketTo(e.url);
    await waitFor(() => s.unavailable() === 1, 5000, "the hand-over");
    expect(s.got).toEqual([]);
  });
});
