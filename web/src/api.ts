/**
 * The one way the dashboard talks to the API: same origin, the session cookie, JSON in and out,
 * and every failure turned into an ApiError carrying the API's `{error:{code,message}}`.
 * Paths, parameters and answers come from the Worker's routes through Hono's typed client; the
 * import of `AppType` is type-only, so no Worker code reaches the bundle.
 */
import { type ClientRequestOptions, type ClientResponse, hc, type InferRequestType } from "hono/client";
import type { SuccessStatusCode } from "hono/utils/http-status";
import type { AppType } from "../../worker/app";
import type { FieldIssue, List, Member, Rule, RuleView } from "./types";

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

/** A failure in words: an ApiError's message is the API's own, written for the reader. */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

let unauthorized: (() => void) | null = null;

/** Called on any 401 (expired or revoked session), so the app can go back to sign-in. */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorized = handler;
}

/** Empty filters are left out of the query string, as if not given. */
function searchParams(query: Record<string, string | string[]>): URLSearchParams {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    for (const one of Array.isArray(v) ? v : [v])
      if (one !== undefined && one !== "") u.append(k, String(one));
  }
  return u;
}

const client = hc<AppType>("/", { buildSearchParams: searchParams, headers: { accept: "application/json" } });
const v1 = client.api.v1;
const healing = client.api.healing;

interface RequestOptions {
  signal?: AbortSignal;
  /** A 401 is an expected answer here (checking or creating a session), not a lost session. */
  expect401?: boolean;
}

/** What a call answers when it succeeds (its 2xx bodies), from the route's response schemas. */
type Ok<R> =
  R extends ClientResponse<infer T, infer S, infer _F> ? (S extends SuccessStatusCode ? T : never) : never;
/** The JSON body a route takes. */
// biome-ignore lint/suspicious/noExplicitAny: any client method
type Body<F extends (...args: any[]) => unknown> = InferRequestType<F> extends { json: infer J } ? J : never;

// biome-ignore lint/suspicious/noExplicitAny: any client method
type Call = (args: any, options?: ClientRequestOptions) => Promise<ClientResponse<unknown, number, string>>;

/**
 * Sends one typed-client call (`v1.tokens.$get`) with the dashboard's timeout and cookie, and
 * turns every failure (network, timeout, non-2xx, non-JSON) into an ApiError; a 401 signs the page out.
 */
export async function request<F extends Call>(
  call: F,
  args: Parameters<F>[0],
  opts: RequestOptions = {},
): Promise<Ok<Awaited<ReturnType<F>>>> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), TIMEOUT_MS);
  const forward = () => ctrl.abort();
  opts.signal?.addEventListener("abort", forward, { once: true });
  let res: Awaited<ReturnType<F>>;
  try {
    res = (await call(args, { init: { credentials: "include", signal: ctrl.signal } })) as Awaited<
      ReturnType<F>
    >;
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
  return data as Ok<Awaited<ReturnType<F>>>;
}

type Sig = AbortSignal | undefined;
/** What one of the calls below answers, as the page receives it (JSON). */
// biome-ignore lint/suspicious/noExplicitAny: any call
export type Answer<F extends (...args: any[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
/** Path parameters are sent as given: the typed client does not encode them. */
const id = (value: string) => ({ id: encodeURIComponent(value) });

/** Whether this browser has a live session: the server says, whatever the page remembers. */
export const getSession = (signal?: Sig) => request(v1.session.$get, {}, { signal, expect401: true });
export const signIn = (token: string) => request(v1.session.$post, { json: { token } }, { expect401: true });
export const signOut = () => request(v1.session.$delete, {}, { expect401: true });
export const signInWithAccess = () => request(v1.session.access.$post, { json: {} }, { expect401: true });
/** Where to send the browser to sign in with the OpenID Connect provider (accepting `invitation`). */
export const startOidcSignIn = (json: Body<typeof v1.session.oidc.$post> = {}) =>
  request(v1.session.oidc.$post, { json }, { expect401: true });
export const acceptInvitation = (json: Body<typeof v1.invitations.accept.$post>) =>
  request(v1.invitations.accept.$post, { json }, { expect401: true });
export const getMySessions = (signal?: Sig) => request(v1.me.sessions.$get, {}, { signal });
export const endMySession = (sid: string) => request(v1.me.sessions[":id"].$delete, { param: id(sid) });
export const passkeyRegisterOptions = () => request(v1.passkeys.register.options.$post, {});
export const passkeyRegister = (json: Body<typeof v1.passkeys.register.$post>) =>
  request(v1.passkeys.register.$post, { json });
export const passkeySignInOptions = (email?: string) =>
  request(v1.passkeys["sign-in"].options.$post, { json: email ? { email } : {} }, { expect401: true });
export const passkeySignIn = (json: Body<(typeof v1.passkeys)["sign-in"]["$post"]>) =>
  request(v1.passkeys["sign-in"].$post, { json }, { expect401: true });
export const getMyPasskeys = (signal?: Sig) => request(v1.passkeys.$get, {}, { signal });
export const renamePasskey = (pid: string, name: string) =>
  request(v1.passkeys[":id"].$patch, { param: id(pid), json: { name } });
export const removePasskey = (pid: string) => request(v1.passkeys[":id"].$delete, { param: id(pid) });
export const getMembers = (signal?: Sig) => request(v1.users.$get, {}, { signal });
export const setMemberRole = (uid: string, role: Member["role"]) =>
  request(v1.users[":id"].$patch, { param: id(uid), json: { role } });
export const removeMember = (uid: string) => request(v1.users[":id"].$delete, { param: id(uid) });
export const getInvitations = (signal?: Sig) => request(v1.invitations.$get, {}, { signal });
export const createInvitation = (role: Member["role"], note: string) =>
  request(v1.invitations.$post, { json: { role, note } });
export const revokeInvitation = (iid: string) => request(v1.invitations[":id"].$delete, { param: id(iid) });

export const getStatus = (signal?: Sig) => request(healing.status.$get, {}, { signal });
export const getConfig = (signal?: Sig) => request(healing.config.$get, {}, { signal });
export type ConfigPatch = Body<typeof healing.config.$post>;
export const saveConfig = (json: ConfigPatch) => request(healing.config.$post, { json });
export const setEnabled = (enabled: boolean) => saveConfig({ enabled });
export const runHealthCheck = (host?: string) =>
  request(healing["health-check"].$post, { json: host ? { host } : {} });

export type IssueFilter = NonNullable<InferRequestType<typeof healing.issues.$get>["query"]>;
export const getIssues = (query: IssueFilter, signal?: Sig) =>
  request(healing.issues.$get, { query }, { signal });
export const getActiveIssues = (signal?: Sig) => getIssues({ status: "active" }, signal);
export const getIssue = (iid: string, signal?: Sig) =>
  request(healing.issues[":id"].$get, { param: id(iid) }, { signal });
/** Closes an operator action's issue that ended refused or failed. */
export const closeIssue = (iid: string, reason: string) =>
  request(v1.issues[":id"].close.$post, { param: id(iid), json: { reason } });
export const recoverIssue = (issueId: string, action = "auto") =>
  request(healing.recover.$post, { json: { issue_id: issueId, action } });
/** Idempotent: the first acknowledgement is kept. Answers the issue as it is now. */
export const acknowledgeIssue = (iid: string) =>
  request(v1.issues[":id"].acknowledge.$post, { param: id(iid) });
export const getIncidents = (status: "" | "open" | "resolved", signal?: Sig) =>
  request(v1.incidents.$get, { query: { status: status || undefined, limit: "200" } }, { signal });
export const getIncident = (iid: string, signal?: Sig) =>
  request(v1.incidents[":id"].$get, { param: id(iid) }, { signal });
export const getNoise = (iid: string, signal?: Sig) =>
  request(v1.issues[":id"].noise.$get, { param: id(iid) }, { signal });
/** Marks a finding as noise: its rule's bar rises for that host. */
export const markNoise = (iid: string, reason: string) =>
  request(v1.issues[":id"].noise.$post, { param: id(iid), json: { reason } });
export const undoNoise = (iid: string) => request(v1.issues[":id"].noise.$delete, { param: id(iid) });
export const getHostThresholds = (hid: string, signal?: Sig) =>
  request(v1.hosts[":id"].thresholds.$get, { param: id(hid) }, { signal });
/** An emergency protocol: one of the agent's actions on a whole host, through the approval rules. */
export const runHostAction = (host: string, json: Body<(typeof v1.hosts)[":id"]["actions"]["$post"]>) =>
  request(v1.hosts[":id"].actions.$post, { param: id(host), json });

export const getHistory = (signal?: Sig, filter: { host?: string; issue?: string; limit?: number } = {}) =>
  request(
    healing["recovery-history"].$get,
    { query: { ...filter, limit: String(filter.limit ?? 20) } },
    { signal },
  );
export const getMetrics = (signal?: Sig) => request(healing.metrics.$get, {}, { signal });

export const getHost = (hid: string, signal?: Sig) =>
  request(v1.hosts[":id"].$get, { param: id(hid) }, { signal });
/** Retires a host (admin): tokens revoked, issues resolved, history kept. */
export const retireHost = (hid: string) => request(v1.hosts[":id"].$delete, { param: id(hid) });
/** The thresholds and rules in force on a host, each with the level (org, group, host) that set it. */
export const getEffectiveConfig = (hid: string, signal?: Sig) =>
  request(v1.hosts[":id"]["effective-config"].$get, { param: id(hid) }, { signal });
export const getScopes = (signal?: Sig) => request(v1.scopes.$get, {}, { signal });
export const getSamples = (
  hostId: string,
  limit: number,
  signal?: Sig,
  range: { from?: string; to?: string } = {},
) =>
  request(
    v1.hosts[":id"].samples.$get,
    { param: id(hostId), query: { limit: String(limit), ...range } },
    { signal },
  );

export const getTokens = (signal?: Sig) => request(v1.tokens.$get, {}, { signal });
export const createToken = (scope: Body<typeof v1.tokens.$post>["scope"], name: string) =>
  request(v1.tokens.$post, { json: { scope, name } });
export const revokeToken = (tid: string) => request(v1.tokens[":id"].$delete, { param: id(tid) });

/**
 * The rule schema documents a rule's fields as an open map; the engine's `Rule` type is the precise
 * one, so the rule calls read their answers as `RuleView`.
 */
export const getRules = (signal?: Sig) => request(v1.rules.$get, {}, { signal }) as Promise<List<RuleView>>;
export type BacktestRequest = Body<typeof v1.rules.backtest.$post>;
export const backtestRule = (json: BacktestRequest, signal?: Sig) =>
  request(v1.rules.backtest.$post, { json }, { signal });
/** Replaces an existing rule (a built-in becomes overridden), or creates a new one. */
export const saveRule = async (rule: Rule, create = false): Promise<Rule> =>
  create
    ? ((await request(v1.rules.$post, { json: rule as Body<typeof v1.rules.$post> })).items[0] as RuleView)
    : ((await request(v1.rules[":id"].$put, {
        param: id(rule.id),
        json: rule as Body<(typeof v1.rules)[":id"]["$put"]>,
      })) as RuleView);
export const setRuleEnabled = (rid: string, on: boolean) =>
  on
    ? request(v1.rules[":id"].enable.$post, { param: id(rid) })
    : request(v1.rules[":id"].disable.$post, { param: id(rid) });
/** Deletes a custom rule, or drops a built-in's override (restoring its default). */
export const deleteRule = (rid: string) => request(v1.rules[":id"].$delete, { param: id(rid) });

export type ChannelRequest = Body<typeof v1.channels.$post>;
export const getChannels = (signal?: Sig) => request(v1.channels.$get, {}, { signal });
export const createChannel = (json: ChannelRequest) => request(v1.channels.$post, { json });
export const updateChannel = (cid: string, json: Body<(typeof v1.channels)[":id"]["$patch"]>) =>
  request(v1.channels[":id"].$patch, { param: id(cid), json });
export const deleteChannel = (cid: string) => request(v1.channels[":id"].$delete, { param: id(cid) });
export const testChannel = (cid: string) => request(v1.channels[":id"].test.$post, { param: id(cid) });

export type CommandFilter = NonNullable<InferRequestType<typeof v1.commands.$get>["query"]>;
export const getCommands = (query: CommandFilter, signal?: Sig) =>
  request(v1.commands.$get, { query }, { signal });
export const getAwaitingApproval = (signal?: Sig) => getCommands({ status: "awaiting_approval" }, signal);
export const approveCommand = (cid: string) => request(v1.commands[":id"].approve.$post, { param: id(cid) });
/** Rejecting escalates the issue: no automatic action runs for it again until a human acts. */
export const rejectCommand = (cid: string, reason?: string) =>
  request(v1.commands[":id"].reject.$post, {
    param: id(cid),
    json: reason?.trim() ? { reason: reason.trim() } : {},
  });

export const getMaintenance = (signal?: Sig) => request(v1.maintenance.$get, {}, { signal });
export type MaintenanceRequest = Body<typeof v1.maintenance.$post>;
export const createMaintenance = (json: MaintenanceRequest) => request(v1.maintenance.$post, { json });
export const deleteMaintenance = (mid: string) => request(v1.maintenance[":id"].$delete, { param: id(mid) });

export const getLearning = (signal?: Sig) => request(v1.learning.$get, {}, { signal });
/** Admin: reset the circuit breaker or crash-loop hold that escalated an issue (audited); answers the issue. */
export const resetGuardrail = (iid: string) =>
  request(v1.issues[":id"]["reset-guardrail"].$post, { param: id(iid) });
