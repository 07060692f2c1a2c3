/**
 * Commands between reports: on the edge's command socket when it offers one (an idle host then
 * costs the edge nothing while the socket hibernates), else, or once the socket proves unusable,
 * on the long-poll. SELFHEAL_COMMAND_SOCKET=off keeps to the long-poll.
 */
import type { Logger } from "../log";
import type { ApiClient, ReportAnswer } from "./client";
import { CommandPoller } from "./longpoll";
import { CommandSocket } from "./socket";

export interface CommandChannelDeps {
  client: ApiClient;
  log: Logger;
  /** Runs the commands (same registry and queue as a report's). */
  onCommands: (commands: unknown[]) => Promise<void>;
}

export class CommandChannel {
  private poller?: CommandPoller;
  private socket?: CommandSocket;
  private closed = false;

  constructor(private readonly deps: CommandChannelDeps) {}

  get open(): boolean {
    return Boolean(this.poller || this.socket);
  }

  /** Opens the channel the report answer names, with this token; a no-op while one is open. */
  listen(res: ReportAnswer, token: string): void {
    if (this.open || this.closed) return;
    const { client, log, onCommands } = this.deps;
    const poll = () => {
      if (!res.longPollSeconds || this.poller || this.closed) return;
      this.poller = new CommandPoller({ client, token, log, waitSeconds: res.longPollSeconds, onCommands });
      this.poller.start();
    };
    if (!res.commandSocket || process.env.SELFHEAL_COMMAND_SOCKET === "off") {
      poll();
      return;
    }
    this.socket = new CommandSocket({
      ...client.socketTarget(res.commandSocket),
      token,
      log,
      onCommands,
      onUnavailable: poll,
    });
    this.socket.start();
  }

  /**
   * Drops the open channel (its token was refused: the poll ended on the refusal and the edge
   * closed the socket); the next report answer opens a new one.
   */
  reset(): void {
    void this.poller?.stop();
    void this.socket?.stop();
    this.poller = undefined;
    this.socket = undefined;
  }

  /** For good (shutdown). */
  close(): void {
    this.closed = true;
    this.reset();
  }
}
