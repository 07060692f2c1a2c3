/**
 * The only code that talks to the server: two POST endpoints over one keep-alive undici Agent.
 * Every request has connect, headers, body and overall timeouts, and can be aborted on shutdown.
 */
import { Agent, request } from "undici";
import { z } from "zod";
import {
  type EnrollRequest,
  type EnrollResponse,
  enrollResponseSchema,
  type ReportRequest,
  reportResponseSchema,
} from "../../protocol";
import { errorMessage, linkSignals, truncateHead } from "../util";
import { AGENT_VERSION } from "../version";
import { AuthError, HttpError, NetworkError, ProtocolError } from "./errors";

/** Commands are checked one by one (by the action registry), so one bad command cannot hide the others. */
const reportAnswerSchema = reportResponseSchema.extend({ commands: z.array(z.unknown()) });
export type ReportAnswer = z.infer<typeof reportAnswerSchema>;
const commandsAnswerSchema = z.object({ commands: z.array(z.unknown()) });
export type CommandsAnswer = z.infer<typeof commandsAnswerSchema>;

export interface ClientOptions {
  server: string;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Upper bound for the whole request, whatever the phase. */
  requestTimeoutMs?: number;
}

export class ApiClient {
  private readonly dispatcher: Agent;
  private readonly requestTimeoutMs: number;

  constructor(private readonly opts: ClientOptions) {
    this.dispatcher = new Agent({
      connect: { timeout: opts.connectTimeoutMs ?? 5_000 },
      headersTimeout: opts.headersTimeoutMs ?? 15_000,
      bodyTimeout: opts.bodyTimeoutMs ?? 15_000,
      keepAliveTimeout: 60_000,
      connections: 2,
    });
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  }

  enroll(enrollToken: string, body: EnrollRequest, signal?: AbortSignal): Promise<EnrollResponse> {
    return this.post("/api/v1/agent/enroll", enrollToken, body, enrollResponseSchema, signal);
  }

  report(agentToken: string, body: ReportRequest, signal?: AbortSignal): Promise<ReportAnswer> {
    return this.post("/api/v1/agent/report", agentToken, body, reportAnswerSchema, signal);
  }

  /** The long-poll: the edge holds it up to `waitSeconds` and answers as soon as a command is queued. */
  pollCommands(agentToken: string, waitSeconds: number, signal?: AbortSignal): Promise<CommandsAnswer> {
    const path = `/api/v1/agent/commands?wait=${waitSeconds}`;
    // the edge answers only after the wait: the timeouts allow it plus a margin
    const ms = waitSeconds * 1000 + 10_000;
    return this.post(path, agentToken, undefined, commandsAnswerSchema, signal, {
      method: "GET",
      timeoutMs: ms,
    });
  }

  async close(): Promise<void> {
    await this.dispatcher.destroy().catch(() => {});
  }

  private async post<S extends z.ZodType>(
    path: string,
    token: string,
    body: unknown,
    schema: S,
    signal?: AbortSignal,
    as: { method: "GET"; timeoutMs: number } | undefined = undefined,
  ): Promise<z.infer<S>> {
    const url = this.opts.server + path;
    const method = as?.method ?? "POST";
    let res: Awaited<ReturnType<typeof request>>;
    let text: string;
    const linked = linkSignals([signal, AbortSignal.timeout(as?.timeoutMs ?? this.requestTimeoutMs)]);
    try {
      res = await request(url, {
        method,
        dispatcher: this.dispatcher,
        headers: {
          authorization: `Bearer ${token}`,
          ...(method === "POST" ? { "content-type": "application/json" } : {}),
          "user-agent": `selfheal-agent/${AGENT_VERSION}`,
        },
        body: method === "POST" ? JSON.stringify(body) : undefined,
        ...(as ? { headersTimeout: as.timeoutMs } : {}),
        signal: linked.signal,
      });
      text = await res.body.text();
    } catch (err) {
      throw new NetworkError(`${method} ${url} failed: ${errorMessage(err)}`);
    } finally {
      linked.dispose();
    }
    if (res.statusCode < 200 || res.statusCode > 299) {
      const message = `${method} ${path} answered ${res.statusCode}: ${serverMessage(text)}`;
      throw res.statusCode === 401 || res.statusCode === 403
        ? new AuthError(res.statusCode, message)
        : new HttpError(res.statusCode, message);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProtocolError(`POST ${path} answered ${res.statusCode} with a body that is not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new ProtocolError(
        `POST ${path} answered with an unexpected body: ${parsed.error.issues[0]?.message}`,
      );
    return parsed.data;
  }
}

/** The server's error shape is {error:{code,message}}; anything else is shown as a short excerpt. */
function serverMessage(text: string): string {
  try {
    const err = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    if (err?.message) return err.code ? `${err.code} ${err.message}` : err.message;
  } catch {
    // not JSON
  }
  return truncateHead(text.trim() || "(empty body)", 200);
}
