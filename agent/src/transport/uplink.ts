/**
 * Sends one report: whatever is pending plus the current services, and settles the queue by the
 * outcome. It never retries by itself: it says whether and when the caller should.
 */
import {
  type CacheFactWire,
  type Capabilities,
  type CheckOutput,
  PROTOCOL_VERSION,
  type ServiceState,
} from "../../protocol";
import type { Logger } from "../log";
import { errorMessage } from "../util";
import { AGENT_VERSION } from "../version";
import { Backoff } from "./backoff";
import type { ApiClient, ReportAnswer } from "./client";
import { AuthError, HttpError, ProtocolError } from "./errors";
import { PendingQueue, type ReportQueue } from "./queue";

export type ReportReason = "interval" | "event" | "command" | "backfill";

export type SendOutcome =
  | { ok: true; response?: ReportAnswer }
  | { ok: false; fatal: true; error: AuthError }
  | { ok: false; fatal: false; retryInMs?: number; error: Error };

export class Uplink {
  readonly queue: ReportQueue;
  readonly backoff: Backoff;

  constructor(
    private readonly deps: {
      client: ApiClient;
      token: string;
      log: Logger;
      /** The current report interval: backoff never waits longer than that. */
      intervalMs: () => number;
      /** Default: in memory only; the runner passes the spool-backed one (spool-queue.ts). */
      queue?: ReportQueue;
      random?: () => number;
      /** The latest outputs of custom checks, sent with every report (absent: none has run). */
      checks?: () => CheckOutput[] | undefined;
      /** The configured caches with their mount and size (absent: none configured). */
      caches?: () => CacheFactWire[];
      /** What this agent can do: sent until a report carrying it is taken (once per start). */
      capabilities?: Capabilities;
    },
  ) {
    this.queue = deps.queue ?? new PendingQueue();
    this.backoff = new Backoff({ capMs: deps.intervalMs, random: deps.random });
  }

  /** A renewed agent token (the old one was refused). */
  useToken(token: string): void {
    this.deps.token = token;
  }

  async send(
    reason: ReportReason,
    services: ServiceState[] | undefined,
    signal?: AbortSignal,
  ): Promise<SendOutcome> {
    const batch = this.queue.take();
    const { log, capabilities } = this.deps;
    const post = (samples: typeof batch.samples) =>
      this.deps.client.report(
        this.deps.token,
        {
          protocol: PROTOCOL_VERSION,
          agentVersion: AGENT_VERSION,
          reason,
          samples,
          services,
          results: batch.results,
          checks: this.deps.checks?.(),
          caches: this.deps.caches?.(),
          ...(batch.gaps?.length ? { gaps: batch.gaps } : {}),
          ...(capabilities ? { capabilities } : {}),
        },
        signal,
      );
    try {
      const response = await post(batch.samples).catch(async (err: unknown) => {
        const refused = refusedSamples(err, batch.samples.length);
        if (!refused) throw err;
        // Samples older than the org keeps or ahead of the edge's clock will never be taken:
        // resend the rest at once and let those go, or a long spool would wedge on them.
        log.warn("the server refused samples by their time, dropping them", {
          dropped: refused.size,
          first: batch.samples[[...refused][0]]?.ts,
        });
        return post(batch.samples.filter((_, i) => !refused.has(i)));
      });
      this.queue.ack(batch);
      this.deps.capabilities = undefined;
      if (this.backoff.consecutiveFailures > 0)
        log.notice("server reachable again", { sent: batch.samples.length });
      this.backoff.reset();
      log.debug("report sent", { reason, samples: batch.samples.length, results: batch.results.length });
      if (response.refusedMetrics?.length)
        log.warn("the server refused new metric names: this host reports too many distinct ones", {
          refused: response.refusedMetrics.slice(0, 10).join(" "),
          count: response.refusedMetrics.length,
        });
      return { ok: true, response };
    } catch (err) {
      if (err instanceof AuthError) return { ok: false, fatal: true, error: err };
      if (err instanceof ProtocolError) {
        // The server took the report; only its answer is unusable. Resending would duplicate it.
        this.queue.ack(batch);
        this.backoff.reset();
        log.error(err.message);
        return { ok: true };
      }
      if (err instanceof HttpError && !err.retryable) {
        this.queue.ack(batch);
        log.error(`server refused the report, dropping it: ${err.message}`, {
          samples: batch.samples.length,
          results: batch.results.length,
        });
        return { ok: false, fatal: false, error: err };
      }
      // No answer: what waits must now survive an agent restart too (the spool, when there is one).
      this.persist();
      const retryInMs = this.backoff.next();
      const level = this.backoff.consecutiveFailures === 1 ? "warn" : "info";
      log[level](`report failed, retrying: ${errorMessage(err)}`, {
        retryInMs,
        pending: this.queue.size.samples,
      });
      return { ok: false, fatal: false, retryInMs, error: err as Error };
    }
  }

  /** Writes out whatever waits in memory (on a failed report and at shutdown); a failure only logs. */
  persist(): void {
    try {
      this.queue.spill?.();
    } catch (err) {
      this.deps.log.error(`cannot write the offline spool: ${errorMessage(err)}`);
    }
  }
}

/** The indexes of the samples a 400 refused for their time alone (`samples.<i>.ts`), or null. */
function refusedSamples(err: unknown, count: number): Set<number> | null {
  if (!(err instanceof HttpError) || err.status !== 400 || err.fields.length === 0) return null;
  const refused = new Set<number>();
  for (const field of err.fields) {
    const m = /^samples\.(\d+)\.ts$/.exec(field);
    if (!m || Number(m[1]) >= count) return null;
    refused.add(Number(m[1]));
  }
  return refused;
}
