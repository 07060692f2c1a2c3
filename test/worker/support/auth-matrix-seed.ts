/**
 * Seed data for the auth matrix and the fuzzer: one org with something behind every path
 * parameter (a host with an issue, a command awaiting approval, a channel, a maintenance window,
 * an edge check, a gate watch, an action webhook, a custom rule, tokens, people of each role
 * signed in, a pending invitation), named so that any
 * leak into another org's response can be found by searching the body.
 */
import {
  call,
  cookieOf,
  json,
  type NewToken,
  newTenant,
  type Session,
  service,
  sql,
  type Tenant,
  unique,
} from "./harness";

export interface Seeded {
  t: Tenant;
  tag: string;
  agentToken: string;
  /** Values for path parameters, by the first path segment they follow. */
  ids: Record<string, string>;
  /** Strings that belong to this org only: none may appear in another org's responses. */
  markers: string[];
  /** Tokens of this org for the refusal cases. */
  tokens: Record<"read" | "enroll" | "metrics" | "operator" | "revoked" | "expired", string>;
  /** Session cookies of this org's people, one per role, and one signed out. */
  people: Record<"admin" | "operator" | "read" | "signedOut", string>;
}

/** A person joining `t` with `role` through an invitation link: their session and cookie. */
async function person(t: Tenant, tag: string, role: string) {
  const invite = await json<{ token: string }>(
    "/api/v1/invitations",
    { token: t.admin, body: { role, note: `${role}-${tag}` } },
    201,
  );
  const body = { token: invite.token, name: `${role}-${tag}`, email: `${unique(role)}@example.com` };
  const res = await call("/api/v1/invitations/accept", { body });
  if (res.status !== 200) throw new Error(`accepting an invitation: ${res.status} ${await res.text()}`);
  return { cookie: cookieOf(res), session: (await res.json()) as Session };
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

async function token(t: Tenant, scope: string, name: string) {
  return json<NewToken>("/api/v1/tokens", { token: t.admin, body: { scope, name } }, 201);
}

export async function seedOrg(label: string): Promise<Seeded> {
  const t = await newTenant();
  const tag = unique(label);
  await t.config({ recovery: { require_confirmation: true } });
  const agent = await t.enroll(`host-${tag}`);
  await agent.report({ services: [service(`svc-${tag}`, "down")] });
  const [issue] = await t.issues();
  const [command] = (await json<{ items: { id: string }[] }>("/api/v1/commands", { token: t.admin })).items;
  const post = <T>(path: string, body: unknown, method = "POST") =>
    json<T>(path, { method, token: t.admin, body }, method === "POST" ? 201 : 200);
  const channel = await post<{ id: string }>("/api/v1/channels", {
    name: `chan-${tag}`,
    kind: "webhook",
    url: `http://receiver.test/${tag}`,
    secret: `secret-${tag}-0123456789`,
  });
  const window = await post<{ id: string }>("/api/v1/maintenance", {
    endsAt: inAnHour(),
    reason: `why-${tag}`,
  });
  const check = await post<{ id: string }>("/api/v1/edge-checks", {
    url: `http://receiver.test/check-${tag}`,
  });
  const watch = await post<{ id: string }>("/api/v1/gate/watch", { host: agent.hostId, windowSeconds: 600 });
  await post(`/api/v1/action-webhooks/hook-${tag}`, { url: `http://receiver.test/hook-${tag}` }, "PUT");
  const ruleId = `rule_${tag.replaceAll("-", "_")}`;
  const rule = { id: ruleId, name: `Rule ${tag}`, kind: "threshold", metric: "cpu", threshold: 95 };
  await post("/api/v1/rules", { ...rule, severity: "low", actions: [] });
  await post(`/api/v1/scopes/group/group-${tag}`, { thresholds: { cpu_critical: 93 } }, "PUT");
  await post(`/api/v1/scopes/host/${agent.hostId}`, { rules: { [ruleId]: { severity: "high" } } }, "PUT");
  const read = await token(t, "read", `read-${tag}`);
  const revoked = await token(t, "admin", `revoked-${tag}`);
  await call(`/api/v1/tokens/${revoked.id}`, { method: "DELETE", token: t.admin });
  const expired = await token(t, "admin", `expired-${tag}`);
  await sql("UPDATE tokens SET expires_at = ? WHERE id = ?", Date.now() - 1000, expired.id);
  const admin = await person(t, tag, "admin");
  const operator = await person(t, tag, "operator");
  const reader = await person(t, tag, "read");
  const gone = await person(t, tag, "read");
  await call("/api/v1/session", { method: "DELETE", headers: { cookie: gone.cookie } });
  const pending = await json<{ id: string }>(
    "/api/v1/invitations",
    { token: t.admin, body: { role: "admin", note: `pending-${tag}` } },
    201,
  );
  return {
    t,
    tag,
    agentToken: agent.token,
    ids: {
      hosts: agent.hostId,
      issues: issue.id,
      commands: command.id,
      channels: channel.id,
      maintenance: window.id,
      "edge-checks": check.id,
      watch: watch.id,
      "action-webhooks": `hook-${tag}`,
      rules: ruleId,
      tokens: read.id,
      users: String(reader.session.userId),
      invitations: pending.id,
      sessions: String(admin.session.sessionId),
      // /scopes/{kind}/{key}: the host's overrides (the key falls back to the host's id)
      scopes: "host",
    },
    markers: [
      tag,
      t.orgId,
      agent.hostId,
      issue.id,
      command.id,
      channel.id,
      window.id,
      check.id,
      watch.id,
      read.id,
      String(reader.session.userId),
      String(admin.session.sessionId),
      pending.id,
    ],
    tokens: {
      read: read.token,
      enroll: (await token(t, "enroll", `enroll-${tag}`)).token,
      metrics: (await token(t, "metrics", `metrics-${tag}`)).token,
      operator: (await token(t, "operator", `operator-${tag}`)).token,
      revoked: revoked.token,
      expired: expired.token,
    },
    people: { admin: admin.cookie, operator: operator.cookie, read: reader.cookie, signedOut: gone.cookie },
  };
}

/** Fills `{param}`s with `org`'s ids: by the segment before the parameter, else the host id. */
export function fill(path: string, org: Seeded): string {
  const parts = path.split("/");
  return parts
    .map((part, i) => {
      if (!/^\{.+\}$/.test(part)) return part;
      return encodeURIComponent(org.ids[parts[i - 1]] ?? org.ids.hosts);
    })
    .join("/");
}

export type Route = { method: string; path: string };

/** Every documented operation of the app's OpenAPI document. */
export async function documentedRoutes(admin: string): Promise<Route[]> {
  const doc = await json<{ paths: Record<string, Record<string, unknown>> }>("/api/openapi.json", {
    token: admin,
  });
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ["get", "post", "put", "patch", "delete"].includes(m))
      .map((m) => ({ method: m.toUpperCase(), path })),
  );
}
