/**
 * The shared harness for the Worker tests: requests go through the Worker's real fetch handler,
 * against D1 with the real migrations. Each test makes its own tenant (an org with an admin
 * token), so tests never see each other's hosts, issues or configuration.
 */
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { z } from "zod";
import { canonicalKeyProof, LIMITS, type ReportResponse } from "../../../agent/protocol";
import type { CreatedToken } from "../../../worker/api-types";
import type { Session } from "../../../worker/schemas/accounts";
import type { HealingConfig } from "../../../worker/schemas/config";
import type {
  HealthCheckSchema,
  MetricsSchema,
  RecoverResponseSchema,
} from "../../../worker/schemas/healing";
import type { HostSummary, SampleSchema } from "../../../worker/schemas/hosts";
import type { HistoryEntry, Issue } from "../../../worker/schemas/issues";

export type { HistoryEntry, Issue, Session };
export type HealingMetrics = z.infer<typeof MetricsSchema>;
export type HealthCheck = z.infer<typeof HealthCheckSchema>;

/** The value, asserted present. */
export function must<T>(value: T | null | undefined): T {
  expect(value).toBeDefined();
  expect(value).not.toBeNull();
  return value as T;
}
export type Sample = z.infer<typeof SampleSchema>;
export type NewToken = CreatedToken;
export type Queued = z.infer<typeof RecoverResponseSchema>;

export const ENV_ADMIN = "test-admin-token-0123456789abcdef";
const BASE = "http://selfheal.test";

let seq = 0;
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

export interface CallInit {
  method?: string;
  token?: string | null;
  body?: unknown;
  /** Sent as-is (for malformed bodies); `body` is JSON-encoded otherwise. */
  raw?: BodyInit;
  headers?: Record<string, string>;
}

/**
 * A client address per call, unless a test sets one: failed authentications are limited per
 * client, and the tests that fail on purpose (the auth matrix) must not meet that limit.
 */
let client = 0;
export const nextClientIp = () => `2001:db8::${(client++).toString(16)}`;

/** The request a call makes: the token as a bearer, `body` as JSON (POST unless a method is set). */
export function requestOf(path: string, init: CallInit = {}): Request {
  const headers = new Headers(init.headers);
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", nextClientIp());
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  let body: BodyInit | undefined = init.raw;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const method = init.method ?? (body === undefined ? "GET" : "POST");
  return new Request(`${BASE}${path}`, { method, headers, body });
}

export async function call(path: string, init: CallInit = {}): Promise<Response> {
  return exports.default.fetch(requestOf(path, init));
}

/** Signs in with a token (the dashboard's way) and returns the session cookie, `name=value`. */
export async function sessionCookie(token: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await call("/api/v1/session", { body: { token }, headers });
  expect(res.status, await res.clone().text()).toBe(200);
  return cookieOf(res);
}

/** The `name=value` a response's Set-Cookie sets. */
export const cookieOf = (res: Response) => (res.headers.get("set-cookie") ?? "").split(";")[0];

/** Calls and parses JSON, asserting the status. */
export async function json<T>(path: string, init: CallInit, status = 200): Promise<T> {
  const res = await call(path, init);
  const text = await res.text();
  expect(res.status, `${path}: ${text}`).toBe(status);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Asserts the one error shape and returns it. */
export async function expectError(res: Response, status: number, code: string) {
  const body = (await res.json()) as { error: ApiErrorBody };
  expect(res.status).toBe(status);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toEqual(expect.any(String));
  expect(body.error.requestId).toMatch(/^req_/);
  expect(res.headers.get("x-request-id")).toBe(body.error.requestId);
  return body.error;
}

export interface ApiErrorBody {
  code: string;
  message: string;
  requestId: string;
  issues?: { path: string; message: string }[];
}

async function sha256Hex(text: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export const sql = (query: string, ...params: unknown[]) =>
  env.DB.prepare(query)
    .bind(...params)
    .all<Record<string, unknown>>()
    .then((r) => r.results);

/** The host's object (worker/objects/host), as the Worker reaches it. */
export const hostStub = (hostId: string) => env.HOST.get(env.HOST.idFromName(hostId));

/** Raw samples the host's object holds (its history lives there, not in D1). */
export const storedSamples = (hostId: string) =>
  runInDurableObject(
    hostStub(hostId),
    (_object, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM samples").one().n,
  );

/** Samples held by the objects of all the org's hosts. */
export async function orgSamples(orgId: string): Promise<number> {
  const ids = await sql("SELECT id FROM hosts WHERE org_id = ?", orgId);
  const counts = await Promise.all(ids.map((r) => storedSamples(String(r.id))));
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * A test that edits a host's commands or issues in D1 directly (to move time along) tells the
 * host's object, as every writer in the Worker does after its batch.
 */
export const touched = (hostId: string) => hostStub(hostId).changed();

const base64 = (buf: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(buf)));

/** A host's Ed25519 key, as the agent keeps one: its public half and proofs signed with it. */
export interface HostKey {
  publicKey: string;
  prove(name: string, at?: number): Promise<{ at: string; signature: string }>;
}

export async function hostKey(): Promise<HostKey> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const publicKey = base64((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  // Proofs must be newer than the last one accepted: a per-key clock that never repeats a millisecond.
  let last = 0;
  return {
    publicKey,
    async prove(name, at) {
      const when = at ?? Math.max(Date.now(), last + 1);
      last = Math.max(last, when);
      const iso = new Date(when).toISOString();
      const data = new TextEncoder().encode(canonicalKeyProof(name, iso));
      return {
        at: iso,
        signature: base64(await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, data)),
      };
    },
  };
}

export interface EnrollOptions {
  /** The host's key (default: a new one); null enrols without one, as agents before host keys did. */
  key?: HostKey | null;
  /** The enroll token (default: a new unlimited one). */
  token?: string;
  group?: string;
}

export interface Tenant {
  orgId: string;
  admin: string;
  token(scope: "admin" | "read" | "operator" | "enroll", name?: string): Promise<string>;
  enroll(name?: string, facts?: Record<string, unknown>, opts?: EnrollOptions): Promise<Agent>;
  config(patch: unknown): Promise<HealingConfig>;
  get<T>(path: string): Promise<T>;
  issues(query?: string): Promise<Issue[]>;
  issue(id: string): Promise<Issue & { history: HistoryEntry[] }>;
  history(query?: string): Promise<HistoryEntry[]>;
  host(idOrName: string): Promise<HostSummary>;
  samples(idOrName: string, query?: string): Promise<Sample[]>;
}

/** A fresh org with an admin token, inserted directly (orgs have no API of their own). */
export async function newTenant(): Promise<Tenant> {
  const orgId = unique("org");
  const admin = `sh_admin_${crypto.randomUUID().replaceAll("-", "")}`;
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare("INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)").bind(orgId, orgId, now),
    env.DB.prepare(
      "INSERT INTO tokens (id, org_id, name, scope, prefix, hash, created_at) VALUES (?, ?, 'test admin', 'admin', ?, ?, ?)",
    ).bind(unique("tok"), orgId, admin.slice(0, 13), await sha256Hex(admin), now),
  ]);
  const tenant: Tenant = {
    orgId,
    admin,
    async token(scope, name = `${scope} token`) {
      return (await json<{ token: string }>("/api/v1/tokens", { token: admin, body: { scope, name } }, 201))
        .token;
    },
    async enroll(name = unique("host"), facts = { hostname: `${name}.local`, os: "Debian 12" }, opts = {}) {
      const enrollToken = opts.token ?? (await tenant.token("enroll"));
      const key = opts.key === undefined ? await hostKey() : opts.key;
      const identity = key ? { publicKey: key.publicKey, proof: await key.prove(name) } : {};
      const body = { name, ...facts, ...identity, ...(opts.group ? { group: opts.group } : {}) };
      const res = await json<{ hostId: string; agentToken: string }>("/api/v1/agent/enroll", {
        token: enrollToken,
        body,
      });
      return { ...agent(res.hostId, res.agentToken, name), key: key ?? undefined };
    },
    config: (patch) => json("/api/healing/config", { token: admin, body: patch }),
    get: (path) => json(path, { token: admin }),
    issues: async (query = "") =>
      (await json<{ items: Issue[] }>(`/api/healing/issues${query}`, { token: admin })).items,
    issue: (id) => json(`/api/healing/issues/${id}`, { token: admin }),
    history: async (query = "") =>
      (await json<{ items: HistoryEntry[] }>(`/api/healing/recovery-history${query}`, { token: admin }))
        .items,
    host: (idOrName) => json(`/api/v1/hosts/${idOrName}`, { token: admin }),
    samples: async (idOrName, query = "") =>
      (await json<{ items: Sample[] }>(`/api/v1/hosts/${idOrName}/samples${query}`, { token: admin })).items,
  };
  return tenant;
}

export interface Agent {
  hostId: string;
  token: string;
  name: string;
  /** The key it enrolled with (absent: enrolled without one). */
  key?: HostKey;
  report(body?: Partial<ReportBody>, status?: number): Promise<ReportResponse>;
  /** Sends samples oldest first in report-sized batches, as the agent drains its spool. */
  backfill(samples: unknown[]): Promise<void>;
}

interface ReportBody {
  protocol: 1;
  reason?: string;
  samples: unknown[];
  services?: unknown[];
  results?: unknown[];
  caches?: unknown[];
  capabilities?: unknown;
}

export function agent(hostId: string, token: string, name: string): Agent {
  return {
    hostId,
    token,
    name,
    report: (body = {}, status = 200) =>
      json("/api/v1/agent/report", { token, body: { protocol: 1, samples: [sample()], ...body } }, status),
    async backfill(samples) {
      for (let i = 0; i < samples.length; i += LIMITS.samplesPerReport) {
        const body = {
          protocol: 1,
          reason: "backfill",
          samples: samples.slice(i, i + LIMITS.samplesPerReport),
        };
        await json("/api/v1/agent/report", { token, body });
      }
    },
  };
}

/** Factories for the protocol's pieces. */
export function sample(metrics: Record<string, number> = {}, at: number = Date.now()) {
  return {
    ts: new Date(at).toISOString(),
    metrics: { cpu: 12, memory: 30, disk: 40, load1: 0.4, ...metrics },
  };
}

/** `count` samples `stepSeconds` apart, ending at `end`, oldest first. */
export function series(count: number, metrics: Record<string, number>, stepSeconds = 10, end = Date.now()) {
  return Array.from({ length: count }, (_, i) => sample(metrics, end - (count - 1 - i) * stepSeconds * 1000));
}

export function service(
  name: string,
  status: "up" | "down" | "unknown",
  extra: Record<string, unknown> = {},
) {
  return { name, kind: "systemd", status, ...extra };
}

export function result(
  commandId: string,
  status: "succeeded" | "failed" | "refused" | "timed_out",
  extra = {},
) {
  return {
    commandId,
    status,
    exitCode: status === "succeeded" ? 0 : 1,
    output: `${status}`,
    durationMs: 120,
    finishedAt: new Date().toISOString(),
    ...extra,
  };
}
