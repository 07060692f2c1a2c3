/**
 * The one way the dashboard talks to the API: same origin, the session cookie, JSON in and out,
 * and every failure turned into an ApiError carrying the API's `{error:{code,message}}`.
 */
import type {
  HealingConfig,
  HealingMetrics,
  HealingStatus,
  HealthCheckResult,
  HistoryEntry,
  Issue,
  List,
  RecoverAccepted,
  Sample,
  Session,
} from "./types";

const TIMEOUT_MS = 15_000;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let unauthorized: (() => void) | null = null;

/** Called on any 401 (expired or revoked session), so the app can go back to sign-in. */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorized = handler;
}

interface RequestOptions {
  method?: "GET" | "POST" | "DELETE";
  body?: unknown;
  signal?: AbortSignal;
  /** A 401 is an expected answer here (checking or creating a session), not a lost session. */
  expect401?: boolean;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), TIMEOUT_MS);
  const forward = () => ctrl.abort();
  opts.signal?.addEventListener("abort", forward, { once: true });
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? "GET",
      credentials: "include",
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: ctrl.signal,
    });
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    if (ctrl.signal.aborted) throw new ApiError(0, "TIMEOUT", "The server took too long to answer.");
    throw new ApiError(0, "NETWORK", "Cannot reach the server. Check your connection.");
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", forward);
  }
  const text = res.status === 204 ? "" : await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string; requestId?: string } } | undefined)
      ?.error;
    if (res.status === 401 && !opts.expect401) unauthorized?.();
    throw new ApiError(
      res.status,
      e?.code ?? `HTTP_${res.status}`,
      e?.message ?? `Request failed (${res.status} ${res.statusText}).`,
      e?.requestId,
    );
  }
  if (text && data === undefined)
    throw new ApiError(res.status, "BAD_RESPONSE", "The server did not answer with JSON.");
  return data as T;
}

type Sig = AbortSignal | undefined;

export const getSession = (signal?: Sig) => request<Session>("/api/v1/session", { signal, expect401: true });
export const signIn = (token: string) =>
  request<Session>("/api/v1/session", { method: "POST", body: { token }, expect401: true });
export const signOut = () => request<void>("/api/v1/session", { method: "DELETE", expect401: true });

export const getStatus = (signal?: Sig) => request<HealingStatus>("/api/healing/status", { signal });
export const getConfig = (signal?: Sig) => request<HealingConfig>("/api/healing/config", { signal });
export const setEnabled = (enabled: boolean) =>
  request<HealingConfig>("/api/healing/config", { method: "POST", body: { enabled } });
export const runHealthCheck = () =>
  request<HealthCheckResult>("/api/healing/health-check", { method: "POST", body: {} });
export const getActiveIssues = (signal?: Sig) =>
  request<List<Issue>>("/api/healing/issues?status=active", { signal });
export const recoverIssue = (issueId: string) =>
  request<RecoverAccepted>("/api/healing/recover", {
    method: "POST",
    body: { issue_id: issueId, action: "auto" },
  });
export const getHistory = (signal?: Sig) =>
  request<List<HistoryEntry>>("/api/healing/recovery-history?limit=20", { signal });
export const getMetrics = (signal?: Sig) => request<HealingMetrics>("/api/healing/metrics", { signal });
export const getSamples = (hostId: string, limit: number, signal?: Sig) =>
  request<List<Sample>>(`/api/v1/hosts/${encodeURIComponent(hostId)}/samples?limit=${limit}`, { signal });
