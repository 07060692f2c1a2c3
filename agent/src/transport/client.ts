/**
 * The only code that talks to the server: the POST endpoints and the long-poll GET over one
 * keep-alive node:http(s) Agent. Every request has connect, headers, body and overall timeouts,
 * and can be aborted on shutdown.
 */
import http from "node:http";
import * as z from "zod/mini";
import {
  type EnrollRequest,
  type EnrollResponse,
  enrollResponseSchema,
  type RefreshRequest,
  type ReportRequest,
  reportResponseSchema,
} from "../../protocol";
import { httpsModule } from "../builtins";
import { errorMessage, truncateHead } from "../util";
import { AGENT_VERSION } from "../version";
import { AuthError, HttpError, NetworkError, ProtocolError } from "./errors";
import { type HttpResponse, httpRequest, retryAfterMs } from "./http";
import { proxyAgent, proxyWanted } from "./proxy";

/** An answer this big is not the protocol's (a report answer is a few KB). */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** Commands are checked one by one (by the action registry), so one bad command cannot hide the others. */
const reportAnswerSchema = z.extend(reportResponseSchema, { commands: z.array(z.unknown()) });
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
  /**
   * CA certificates (PEM) to trust for an https server instead of Node's bundled list. To add a
   * private CA to that list without code, start the agent with NODE_EXTRA_CA_CERTS=<file>.
   */
  ca?: string | Buffer;
}

export class ApiClient {
  private readonly agent: http.Agent;
  /** The proxy's tunnelling agent when the environment names one for this server (proxy.ts). */
  private readonly proxied?: Promise<http.Agent | undefined>;
  private readonly base: URL;

  constructor(private readonly opts: ClientOptions) {
    this.base = new URL(opts.server);
    // two sockets: the report and the long-poll can be in flight together
    const agentOpts = { keepAlive: true, maxSockets: 2, maxFreeSockets: 2, timeout: 60_000 };
    this.agent =
      this.base.protocol === "https:"
        ? new (httpsModule().Agent)({ ...agentOpts, ...(opts.ca ? { ca: opts.ca } : {}) })
        : new http.Agent(agentOpts);
    if (proxyWanted())
      this.proxied = proxyAgent(this.base, { ...agentOpts, ...(opts.ca ? { ca: opts.ca } : {}) });
  }

  /** Where the command socket (socket.ts) connects, and the CA it trusts. */
  socketTarget(path: string): { url: URL; ca?: string | Buffer } {
    return { url: new URL(path, this.base), ca: this.opts.ca };
  }

  enroll(enrollToken: string, body: EnrollRequest, signal?: AbortSignal): Promise<EnrollResponse> {
    return this.post("/api/v1/agent/enroll", enrollToken, body, enrollResponseSchema, signal);
  }

  /** No bearer token: the host key proof in the body is the credential. */
  refresh(body: RefreshRequest, signal?: AbortSignal): Promise<EnrollResponse> {
    return this.post("/api/v1/agent/refresh", "", body, enrollResponseSchema, signal);
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
    this.agent.destroy();
    (await this.proxied?.catch(() => undefined))?.destroy();
  }

  private async post<S extends z.ZodMiniType>(
    path: string,
    token: string,
    body: unknown,
    schema: S,
    signal?: AbortSignal,
    as: { method: "GET"; timeoutMs: number } | undefined = undefined,
  ): Promise<z.infer<S>> {
    const url = new URL(this.opts.server + path);
    const method = as?.method ?? "POST";
    let res: HttpResponse;
    try {
      res = await this.send(url, method, token, body, signal, as?.timeoutMs);
    } catch (err) {
      throw new NetworkError(`${method} ${url} failed: ${errorMessage(err)}`);
    }
    if (res.status < 200 || res.status > 299) {
      const message = `${method} ${path} answered ${res.status}: ${serverMessage(res.body)}`;
      throw res.status === 401 || res.status === 403
        ? new AuthError(res.status, message)
        : new HttpError(
            res.status,
            message,
            retryAfterMs(res.headers["retry-after"]),
            serverFields(res.body),
          );
    }
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch {
      throw new ProtocolError(`${method} ${path} answered ${res.status} with a body that is not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new ProtocolError(
        `${method} ${path} answered with an unexpected body: ${parsed.error.issues[0]?.message}`,
      );
    return parsed.data;
  }

  private async send(
    url: URL,
    method: "GET" | "POST",
    token: string,
    body: unknown,
    signal: AbortSignal | undefined,
    waitMs: number | undefined,
  ): Promise<HttpResponse> {
    const payload = method === "POST" ? JSON.stringify(body) : undefined;
    const headers: Record<string, string> = { "user-agent": `selfheal-agent/${AGENT_VERSION}` };
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(payload));
    }
    const agent = (await this.proxied) ?? this.agent;
    const attempt = () =>
      httpRequest(url, {
        method,
        headers,
        body: payload,
        agent,
        connectTimeoutMs: this.opts.connectTimeoutMs ?? 5_000,
        // the long-poll's answer comes only after the wait: its headers may take that long
        headersTimeoutMs: waitMs ?? this.opts.headersTimeoutMs ?? 15_000,
        bodyTimeoutMs: this.opts.bodyTimeoutMs ?? 15_000,
        timeoutMs: waitMs ?? this.opts.requestTimeoutMs ?? 30_000,
        signal,
        maxBodyBytes: MAX_ANSWER_BYTES,
      });
    try {
      return await attempt();
    } catch (err) {
      // A kept-alive connection the server closed while idle fails at once; one fresh try is what
      // the uplink would do anyway with the same payload, only without waiting a backoff.
      if (signal?.aborted || !isStaleSocket(err)) throw err;
      return attempt();
    }
  }
}

const isStaleSocket = (err: unknown): boolean =>
  (err as { reusedSocket?: boolean }).reusedSocket === true &&
  ["ECONNRESET", "EPIPE"].includes((err as NodeJS.ErrnoException).code ?? "");

/** The paths of the error shape's `issues` (what a 400 refused), or none. */
function serverFields(text: string): string[] {
  try {
    const issues = (JSON.parse(text) as { error?: { issues?: { path?: unknown }[] } }).error?.issues;
    return Array.isArray(issues) ? issues.flatMap((i) => (typeof i?.path === "string" ? [i.path] : [])) : [];
  } catch {
    return [];
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
