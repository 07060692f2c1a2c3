/**
 * The agent's command socket as a test opens it (GET /api/v1/agent/commands/socket with the
 * upgrade): the command messages it gets, and the next raw message (a command message or "pong").
 */
import { expect } from "vitest";
import type { Command } from "../../../agent/protocol";
import { type Agent, call, must } from "./harness";

export interface CommandSocket {
  ws: WebSocket;
  /** The commands of every message but "pong", in order. */
  received: Command[][];
  /** The next message as sent, "pong" included. */
  next(): Promise<string>;
}

export async function openSocket(agent: Agent): Promise<CommandSocket> {
  const res = await call("/api/v1/agent/commands/socket", {
    token: agent.token,
    headers: { upgrade: "websocket" },
  });
  expect(res.status).toBe(101);
  const ws = must(res.webSocket);
  ws.accept();
  const received: Command[][] = [];
  ws.addEventListener("message", (e: MessageEvent) => {
    if (e.data !== "pong") received.push((JSON.parse(String(e.data)) as { commands: Command[] }).commands);
  });
  const next = () =>
    new Promise<string>((resolve) =>
      ws.addEventListener("message", (e: MessageEvent) => resolve(String(e.data)), { once: true }),
    );
  return { ws, received, next };
}
