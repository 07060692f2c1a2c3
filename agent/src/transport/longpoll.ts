/**
 * The command long-poll: one GET in flight at a time, which the edge holds until a command is
 * queued for this host (a manual recover, an approval) or the wait is over. It keeps the agent
 * outbound-only while a dashboard action reaches the host in about a second, not an interval.
 * Commands go to the runner (same registry, same queue as the report's); errors back off.
 */
import type { Logger } from "../log";
import { errorMessage, sleep } from "../util";
import { Backoff } from "./backoff";
import type { ApiClient } from "./client";
import { AuthError, HttpError } from "./errors";

/** An edge that answers at once with nothing (no long-poll there) is asked at most this often. */
const MIN_ROUND_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

export interface CommandPollerDeps {
  client: ApiClient;
  token: string;
  log: Logger;
  waitSeconds: number;
  /** Runs the commands; the next poll starts once this settles. */
  onCommands: (commands: unknown[]) => Promise<void>;
  random?: () => number;
}

export class CommandPoller {
  private readonly abort = new AbortController();
  private running?: Promise<void>;

  constructor(private readonly deps: CommandPollerDeps) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Aborts the request in flight and resolves once the loop has left. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { client, token, log, waitSeconds } = this.deps;
    const signal = this.abort.signal;
    const backoff = new Backoff({ capMs: () => MAX_BACKOFF_MS, random: this.deps.random });
    while (!signal.aborted) {
      const started = Date.now();
      try {
        const { commands } = await client.pollCommands(token, waitSeconds, signal);
        backoff.reset();
        if (commands.length) {
          log.info("commands from the long-poll", { count: commands.length });
          await this.deps.onCommands(commands);
        } else await sleep(MIN_ROUND_MS - (Date.now() - started), signal);
      } catch (err) {
        if (signal.aborted) break;
        // A refused token is the report loop's to act on (it stops the agent); this loop just ends.
        if (err instanceof AuthError) {
          log.warn(`command long-poll refused: ${err.message}`);
          break;
        }
        const waitMs = err instanceof HttpError && err.status === 404 ? MAX_BACKOFF_MS : backoff.next();
        log.debug(`command long-poll failed, again in ${waitMs} ms: ${errorMessage(err)}`);
        await sleep(waitMs, signal);
      }
    }
  }
}
