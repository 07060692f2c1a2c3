/**
 * The one way the dashboard talks to the API: same origin, the session cookie, JSON in and out,
 * and every failure turned into an ApiError carrying the API's `{error:{code,message}}`.
 */
import type {
  BacktestResult,
  Channel,
  Command,
  CreatedToken,
  Delivery,
  EffectiveConfig,
  FieldIssue,
  FleetIncident,
  FleetIncidentDetail,
  HealingConfig,
  HealingMetrics,
  HealingStatus,
  HealthCheckResult,
  HistoryEntry,
  HostActionQueued,
  HostSummary,
  HostThresholds,
  Invitation,
  Issue,
  IssueDetail,
  LearnedAction,
  List,
  MaintenanceWindow,
  Member,
  MySession,
  NewInvitation,
  NoiseMark,
  RecoverAccepted,
  RetiredHost,
  Rule,
  RuleView,
  Sample,
  ScopeOverrides,
  Session,
  SessionState,
  TokenInfo,
} from "./types";

const TIMEOUT_MS = 15_000;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    /** Field-level validation messages (`{path, message}`) from a 400. */
    readonly issues: FieldIssue[] = [],
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
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
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
    const e = (
      data as
        | { error?: { code?: string; message?: string; requestId?: string; issues?: FieldIssue[] } }
        | undefined
    )?.error;
    if (res.status === 401 && !opts.expect401) unauthorized?.();
    throw new ApiError(
      res.status,
      e?.code ?? `HTTP_${res.status}`,
      e?.message ?? `Request failed (${res.status} ${res.statusText}).`,
      e?.requestId,
      Array.isArray(e?.issues) ? e.issues : [],
    );
  }
  if (text && data === undefined)
    throw new ApiError(res.status, "BAD_RESPONSE", "The server did not answer with JSON.");
  return data as T;
}

type Sig = AbortSignal | undefined;
const q = (params: Record<string, string | number | undefined>) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") u.set(k, String(v));
  const text = u.toString();
  return text ? `?${text}` : "";
};
const enc = encodeURIComponent;

/** Whether this browser has a live session: the server says, whatever the page remembers. */
export const getSession = (signal?: Sig) =>
  request<SessionState>("/api/v1/session", { signal, expect401: true });
export const signIn = (token: string) =>
  request<Session>("/api/v1/session", { method: "POST", body: { token }, expect401: true });
export const signOut = () => request<void>("/api/v1/session", { method: "DELETE", expect401: true });
export const signInWithAccess = () =>
  request<Session>("/api/v1/session/access", { method: "POST", body: {}, expect401: true });
/** Where to send the browser to sign in with the OpenID Connect provider (accepting `invitation`). */
export const startOidcSignIn = (body: { invitation?: string } = {}) =>
  request<{ url: string }>("/api/v1/session/oidc", { method: "POST", body, expect401: true });
export const acceptInvitation = (body: { token: string; name?: string; email?: string }) =>
  request<Session>("/api/v1/invitations/accept", { method: "POST", body, expect401: true });
export const getMySessions = (signal?: Sig) => request<List<MySession>>("/api/v1/me/sessions", { signal });
export const endMySession = (id: string) =>
  request<{ id: string }>(`/api/v1/me/sessions/${enc(id)}`, { method: "DELETE" });
export const getMembers = (signal?: Sig) => request<List<Member>>("/api/v1/users", { signal });
export const setMemberRole = (id: string, role: Member["role"]) =>
  request<Member>(`/api/v1/users/${enc(id)}`, { method: "PATCH", body: { role } });
export const removeMember = (id: string) => request<void>(`/api/v1/users/${enc(id)}`, { method: "DELETE" });
export const getInvitations = (signal?: Sig) => request<List<Invitation>>("/api/v1/invitations", { signal });
export const createInvitation = (role: Member["role"], note: string) =>
  request<NewInvitation>("/api/v1/invitations", { method: "POST", body: { role, note } });
export const revokeInvitation = (id: string) =>
  request<{ id: string }>(`/api/v1/invitations/${enc(id)}`, { method: "DELETE" });

export const getStatus = (signal?: Sig) => request<HealingStatus>("/api/healing/status", { signal });
export const getConfig = (signal?: Sig) => request<HealingConfig>("/api/healing/config", { signal });
export const saveConfig = (patch: Record<string, unknown>) =>
  request<HealingConfig>("/api/healing/config", { method: "POST", body: patch });
export const setEnabled = (enabled: boolean) => saveConfig({ enabled });
export const runHealthCheck = (host?: string) =>
  request<HealthCheckResult>("/api/healing/health-check", { method: "POST", body: host ? { host } : {} });

export interface IssueFilter {
  status?: string;
  severity?: string;
  host?: string;
  limit?: number;
}
export const getIssues = (filter: IssueFilter, signal?: Sig) =>
  request<List<Issue>>(`/api/healing/issues${q({ ...filter })}`, { signal });
export const getActiveIssues = (signal?: Sig) => getIssues({ status: "active" }, signal);
export const getIssue = (id: string, signal?: Sig) =>
  request<IssueDetail>(`/api/healing/issues/${enc(id)}`, { signal });
/** Closes an operator action's issue that ended refused or failed. */
export const closeIssue = (id: string, reason: string) =>
  request<IssueDetail>(`/api/v1/issues/${enc(id)}/close`, { method: "POST", body: { reason } });
export const recoverIssue = (issueId: string, action = "auto") =>
  request<RecoverAccepted>("/api/healing/recover", { method: "POST", body: { issue_id: issueId, action } });
/** Idempotent: the first acknowledgement is kept. Answers the issue as it is now. */
export const acknowledgeIssue = (id: string) =>
  request<IssueDetail>(`/api/v1/issues/${enc(id)}/acknowledge`, { method: "POST" });
export const getIncidents = (status: "" | "open" | "resolved", signal?: Sig) =>
  request<List<FleetIncident>>(`/api/v1/incidents${q({ status, limit: 200 })}`, { signal });
export const getIncident = (id: string, signal?: Sig) =>
  request<FleetIncidentDetail>(`/api/v1/incidents/${enc(id)}`, { signal });
export const getNoise = (id: string, signal?: Sig) =>
  request<NoiseMark>(`/api/v1/issues/${enc(id)}/noise`, { signal });
/** Marks a finding as noise: its rule's bar rises for that host. */
export const markNoise = (id: string, reason: string) =>
  request<NoiseMark>(`/api/v1/issues/${enc(id)}/noise`, { method: "POST", body: { reason } });
export const undoNoise = (id: string) =>
  request<NoiseMark>(`/api/v1/issues/${enc(id)}/noise`, { method: "DELETE" });
export const getHostThresholds = (id: string, signal?: Sig) =>
  request<HostThresholds>(`/api/v1/hosts/${enc(id)}/thresholds`, { signal });
/** An emergency protocol: one of the agent's actions on a whole host, through the approval rules. */
export const runHostAction = (host: string, body: { action: string; target?: string; reason: string }) =>
  request<HostActionQueued>(`/api/v1/hosts/${enc(host)}/actions`, { method: "POST", body });

export const getHistory = (signal?: Sig, filter: { host?: string; issue?: string; limit?: number } = {}) =>
  request<List<HistoryEntry>>(`/api/healing/recovery-history${q({ limit: 20, ...filter })}`, { signal });
export const getMetrics = (signal?: Sig) => request<HealingMetrics>("/api/healing/metrics", { signal });

export const getHost = (id: string, signal?: Sig) =>
  request<HostSummary>(`/api/v1/hosts/${enc(id)}`, { signal });
/** Retires a host (admin): tokens revoked, issues resolved, history kept. */
export const retireHost = (id: string) =>
  request<RetiredHost>(`/api/v1/hosts/${enc(id)}`, { method: "DELETE" });
/** The thresholds and rules in force on a host, each with the level (org, group, host) that set it. */
export const getEffectiveConfig = (id: string, signal?: Sig) =>
  request<EffectiveConfig>(`/api/v1/hosts/${enc(id)}/effective-config`, { signal });
export const getScopes = (signal?: Sig) => request<List<ScopeOverrides>>("/api/v1/scopes", { signal });
export const getSamples = (
  hostId: string,
  limit: number,
  signal?: Sig,
  range: { from?: string; to?: string } = {},
) => request<List<Sample>>(`/api/v1/hosts/${enc(hostId)}/samples${q({ limit, ...range })}`, { signal });

export const getTokens = (signal?: Sig) => request<List<TokenInfo>>("/api/v1/tokens", { signal });
export const createToken = (scope: string, name: string) =>
  request<CreatedToken>("/api/v1/tokens", { method: "POST", body: { scope, name } });
export const revokeToken = (id: string) =>
  request<{ id: string; revokedAt: string }>(`/api/v1/tokens/${enc(id)}`, { method: "DELETE" });

export const getRules = (signal?: Sig) => request<List<RuleView>>("/api/v1/rules", { signal });
export interface BacktestRequest {
  rule: Record<string, unknown>;
  host: string;
  from?: string;
  to?: string;
}
export const backtestRule = (body: BacktestRequest, signal?: Sig) =>
  request<BacktestResult>("/api/v1/rules/backtest", { method: "POST", body, signal });
/** Replaces an existing rule (a built-in becomes overridden), or creates a new one. */
export const saveRule = async (rule: Rule, create = false): Promise<Rule> =>
  create
    ? (await request<List<RuleView>>("/api/v1/rules", { method: "POST", body: rule })).items[0]
    : request<RuleView>(`/api/v1/rules/${enc(rule.id)}`, { method: "PUT", body: rule });
export const setRuleEnabled = (id: string, on: boolean) =>
  request<RuleView>(`/api/v1/rules/${enc(id)}/${on ? "enable" : "disable"}`, { method: "POST" });
/** Deletes a custom rule, or drops a built-in's override (restoring its default). */
export const deleteRule = (id: string) =>
  request<{ id: string; deleted: boolean; restored: boolean }>(`/api/v1/rules/${enc(id)}`, {
    method: "DELETE",
  });

export const getChannels = (signal?: Sig) => request<List<Channel>>("/api/v1/channels", { signal });
export const createChannel = (body: Record<string, unknown>) =>
  request<Channel>("/api/v1/channels", { method: "POST", body });
export const updateChannel = (id: string, patch: Record<string, unknown>) =>
  request<Channel>(`/api/v1/channels/${enc(id)}`, { method: "PATCH", body: patch });
export const deleteChannel = (id: string) =>
  request<{ id: string; deleted: true }>(`/api/v1/channels/${enc(id)}`, { method: "DELETE" });
export const testChannel = (id: string) =>
  request<Delivery>(`/api/v1/channels/${enc(id)}/test`, { method: "POST" });

export const getCommands = (filter: { status?: string; limit?: number }, signal?: Sig) =>
  request<List<Command>>(`/api/v1/commands${q({ ...filter })}`, { signal });
export const getAwaitingApproval = (signal?: Sig) => getCommands({ status: "awaiting_approval" }, signal);
export const approveCommand = (id: string) =>
  request<Command>(`/api/v1/commands/${enc(id)}/approve`, { method: "POST" });
/** Rejecting escalates the issue: no automatic action runs for it again until a human acts. */
export const rejectCommand = (id: string, reason?: string) =>
  request<Command>(`/api/v1/commands/${enc(id)}/reject`, {
    method: "POST",
    body: reason?.trim() ? { reason: reason.trim() } : {},
  });

export const getMaintenance = (signal?: Sig) =>
  request<List<MaintenanceWindow>>("/api/v1/maintenance", { signal });
export interface MaintenanceRequest {
  host?: string;
  group?: string;
  rule?: string;
  startsAt?: string;
  endsAt: string;
  reason: string;
}
export const createMaintenance = (body: MaintenanceRequest) =>
  request<MaintenanceWindow>("/api/v1/maintenance", { method: "POST", body });
export const deleteMaintenance = (id: string) =>
  request<void>(`/api/v1/maintenance/${enc(id)}`, { method: "DELETE" });

export const getLearning = (signal?: Sig) => request<List<LearnedAction>>("/api/v1/learning", { signal });
/** Admin: reset the circuit breaker or crash-loop hold that escalated an issue (audited); answers the issue. */
export const resetGuardrail = (id: string) =>
  request<IssueDetail>(`/api/v1/issues/${enc(id)}/reset-guardrail`, {
    method: "POST",
  });
