/**
 * The command socket: one WebSocket the agent opens to the edge (still outbound only), on which
 * the host's Durable Object pushes commands as soon as they are queued. An idle host then costs
 * the edge nothing (the object hibernates with the socket open) instead of a long-poll re-armed
 * every 20 s. A "ping" every PING_EVERY_MS, answered "pong" by the edge's runtime, keeps proxies'
 * idle timers from closing it and finds a dead connection; a socket that fails reconnects with
 * backoff, and an edge without one (or a socket that never opens) hands over to the long-poll.
 * Commands go to the runner one message at a time, like the long-poll's.
 */
import type WebSocket from "ws";
import * as z from "zod/mini";
import type { Logger } from "../log";
import { errorMessage } from "../util";
import { Backoff } from "./backoff";
import { proxyAgent } from "./proxy";

export const PING_EVERY_MS = 45_000;
const PONG_TIMEOUT_MS = 10_000;
const HANDSHAKE_TIMEOUT_MS = 15_000;
const MAX_BACKOFF_MS = 60_000;
/** Failures in a row, the socket never having opened, before the long-poll takes over. */
const GIVE_UP_AFTER = 3;

const messageSchema = z.object({ commands: z.array(z.unknown()) });

export interface CommandSocketDeps {
  /** http(s)://edge/path of the socket; ws(s) is derived. */
  url: URL;
  token: string;
  log: Logger;
  ca?: string | Buffer;
  onCommands: (commands: unknown[]) => Promise<void>;
  /** The edge has no usable socket: the caller long-polls instead. */
  onUnavailable: () => void;
  /** The edge refused the token (401/403): the report loop acts on it. */
  onRefused?: (status: number) => void;
  random?: () => number;
}

export class CommandSocket {
  private ws?: WebSocket;
  private stopped = false;
  private opened = false;
  private failures = 0;
  private timers: NodeJS.Timeout[] = [];
  private pongTimer?: NodeJS.Timeout;
  private work: Promise<void> = Promise.resolve();
  private readonly backoff: Backoff;

  constructor(private readonly deps: CommandSocketDeps) {
    this.backoff = new Backoff({ capMs: () => MAX_BACKOFF_MS, random: deps.random });
  }

  start(): void {
    void this.connect();
  }

  /** Closes the socket and resolves once the commands it delivered have run. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    this.ws?.terminate();
    await this.work;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    // loaded on first use: an agent talking to an edge without sockets never pays for it
    const { default: WebSocketClass } = await import("ws");
    // through the environment's proxy too (a CONNECT tunnel), chosen by the http(s) address
    const agent = await proxyAgent(this.deps.url, this.deps.ca ? { ca: this.deps.ca } : {});
    if (this.stopped) return;
    const url = new URL(this.deps.url);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocketClass(url, {
      ...(agent ? { agent } : {}),
      headers: { authorization: `Bearer ${this.deps.token}` },
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      perMessageDeflate: false,
      ...(this.deps.ca ? { ca: this.deps.ca } : {}),
    });
    this.ws = ws;
    let refused = false;
    ws.on("open", () => {
      this.opened = true;
      this.failures = 0;
      this.backoff.reset();
      this.deps.log.debug("command socket open");
      this.timers.push(setInterval(() => this.ping(ws), PING_EVERY_MS));
    });
    ws.on("message", (data: WebSocket.RawData, isBinary: boolean) => {
      const text = isBinary ? "" : data.toString();
      if (text === "pong") return clearTimeout(this.pongTimer);
      const parsed = messageSchema.safeParse(safeJson(text));
      if (!parsed.success)
        return this.deps.log.warn("command socket: a message that is not the protocol's, ignored");
      const { commands } = parsed.data;
      if (commands.length === 0) return;
      this.deps.log.info("commands from the command socket", { count: commands.length });
      this.work = this.work.then(() => this.deps.onCommands(commands)).catch(() => undefined);
    });
    ws.on("unexpected-response", (_req, res) => {
      refused = true;
      const status = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
      if (status === 401 || status === 403) {
        this.stopped = true;
        this.deps.log.warn(`command socket refused (${status})`);
        this.deps.onRefused?.(status);
      } else {
        // an edge without the socket (an older Worker, a proxy that will not upgrade)
        this.stopped = true;
        this.deps.log.info(`no command socket on the edge (${status}): long-polling instead`);
        this.deps.onUnavailable();
      }
    });
    ws.on("error", (err: Error) => this.deps.log.debug(`command socket error: ${errorMessage(err)}`));
    ws.on("close", () => {
      this.clearTimers();
      if (this.stopped || refused) return;
      this.failures++;
      if (!this.opened && this.failures >= GIVE_UP_AFTER) {
        this.stopped = true;
        this.deps.log.info("the command socket never opened: long-polling instead");
        return this.deps.onUnavailable();
      }
      const waitMs = this.backoff.next();
      this.deps.log.debug(`command socket closed, again in ${waitMs} ms`);
      this.timers.push(setTimeout(() => void this.connect(), waitMs));
    });
  }

  private ping(ws: WebSocket) {
    ws.send("ping");
    clearTimeout(this.pongTimer);
    // no pong: a dead connection (a NAT or proxy dropped it); close to reconnect
    this.pongTimer = setTimeout(() => ws.terminate(), PONG_TIMEOUT_MS);
  }

  private clearTimers() {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    clearTimeout(this.pongTimer);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
