/**
 * The auth matrix: every route in the app's OpenAPI document (so a new route is covered
 * the moment it is documented) × {no token, malformed header, unknown, revoked, expired, wrong
 * scope, a signed-out session, a person of the wrong role, another org's token or person}. Every case is refused, and no response ever carries the other
 * org's data: both orgs are seeded with named data, and every body is searched for it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { documentedRoutes, fill, type Route, type Seeded, seedOrg } from "./support/auth-matrix-seed";
import { type CallInit, call, sql } from "./support/harness";

/**
 * Reachable without credentials, by design (sign-in and sign-out, the health probe, and the host
 * key refresh, whose signed proof is its credential: enrollment.test.ts refuses every bad one).
 */
const PUBLIC = new Set([
  "GET /api/health",
  "POST /api/v1/session",
  "GET /api/v1/session",
  "DELETE /api/v1/session",
  "POST /api/v1/session/access",
  "POST /api/v1/session/oidc",
  "GET /api/v1/session/oidc/callback",
  "POST /api/v1/invitations/accept",
  "POST /api/v1/passkeys/sign-in/options",
  "POST /api/v1/passkeys/sign-in",
  "POST /api/v1/agent/refresh",
]);
/** Admin acts an operator token must not reach either. */
const ADMIN_ONLY = new Set([
  "POST /api/v1/hosts/{id}/re-enroll",
  "DELETE /api/v1/hosts/{id}",
  "GET /api/v1/users",
  "PATCH /api/v1/users/{id}",
  "DELETE /api/v1/users/{id}",
  "GET /api/v1/invitations",
  "POST /api/v1/invitations",
  "DELETE /api/v1/invitations/{id}",
]);
/** A caller's own things, which every dashboard scope may change (its own sessions and passkeys). */
const SELF_SERVICE = new Set([
  "DELETE /api/v1/me/sessions/{id}",
  "POST /api/v1/passkeys/register/options",
  "POST /api/v1/passkeys/register",
  "PATCH /api/v1/passkeys/{id}",
  "DELETE /api/v1/passkeys/{id}",
]);
/** Outside /api and the document, with credentials of its own. */
const UNDOCUMENTED: Route[] = [{ method: "GET", path: "/metrics" }];
/** A POST a read token may make: it computes, it changes nothing. */
const READ_ONLY_POSTS = new Set(["POST /api/v1/rules/backtest"]);
/** Upserts by a name chosen by the caller: another org's "id" there is simply a new name. */
const UPSERTS = new Set(["PUT /api/v1/action-webhooks/{name}"]);
const AGENT_ONLY = new Set([
  "POST /api/v1/agent/report",
  "GET /api/v1/agent/commands",
  "GET /api/v1/agent/commands/socket",
]);
const ENROLL = "POST /api/v1/agent/enroll";
/** Valid bodies, so that another org's id is refused for what it is (404), not for the body. */
const BODIES: Record<string, unknown> = {
  "PATCH /api/v1/hosts/{id}": { group: "g" },
  "PATCH /api/v1/rules/{id}": { threshold: 91 },
  "PATCH /api/v1/channels/{id}": { enabled: false },
  "POST /api/v1/commands/{id}/reject": { reason: "no" },
  "POST /api/v1/issues/{id}/close": { reason: "done" },
  "POST /api/v1/issues/{id}/noise": { reason: "expected" },
  "POST /api/v1/commands/{id}/approve": {},
  "POST /api/v1/channels/{id}/test": {},
  "PUT /api/v1/scopes/{kind}/{key}": { thresholds: { cpu_critical: 80 } },
  "PATCH /api/v1/users/{id}": { role: "admin" },
  "POST /api/v1/invitations": { role: "admin", note: "x" },
};
const MALFORMED = ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b"];

type Scope = "admin" | "read" | "operator" | "agent" | "enroll" | "metrics";

/** Scopes that must never pass this route: the policy, with its few exceptions above. */
function wrongScopes(route: Route): Scope[] {
  const key = `${route.method} ${route.path}`;
  if (route.path.startsWith("/api/v1/orgs"))
    return ["admin", "read", "operator", "agent", "enroll", "metrics"];
  if (route.path === "/metrics") return ["agent", "enroll", "operator"];
  if (AGENT_ONLY.has(key)) return ["admin", "read", "operator", "enroll", "metrics"];
  if (key === ENROLL) return ["read", "operator", "agent", "metrics"];
  if (ADMIN_ONLY.has(key)) return ["agent", "enroll", "metrics", "read", "operator"];
  if (SELF_SERVICE.has(key)) return ["agent", "enroll", "metrics"];
  const writes = route.method !== "GET" && !READ_ONLY_POSTS.has(key);
  return writes ? ["agent", "enroll", "metrics", "read"] : ["agent", "enroll", "metrics"];
}

let a: Seeded;
let b: Seeded;
let routes: (Route & { hasBody: boolean })[];

function tokenOf(org: Seeded, scope: Scope): string {
  if (scope === "admin") return org.t.admin;
  if (scope === "agent") return org.agentToken;
  return org.tokens[scope];
}

async function send(route: Route & { hasBody: boolean }, init: CallInit & { org?: Seeded }) {
  const url = fill(route.path, init.org ?? a);
  const key = `${route.method} ${route.path}`;
  const body = route.hasBody ? (BODIES[key] ?? {}) : undefined;
  const res = await call(url, { method: route.method, body, ...init });
  return { url, res, text: await res.text() };
}

/** No response to anyone but org A may name org A's data (unless the caller put it in the URL). */
function expectNoLeak(owner: Seeded, url: string, text: string, label: string) {
  for (const marker of owner.markers) {
    if (url.includes(marker)) continue;
    expect(text.includes(marker), `${label} leaked ${marker}: ${text.slice(0, 300)}`).toBe(false);
  }
}

function expectErrorShape(text: string, status: number, res: Response, label: string) {
  expect(res.status, `${label}: ${text.slice(0, 300)}`).toBe(status);
  const body = JSON.parse(text) as { error: { code: string; requestId: string; message: string } };
  expect(body.error.code, label).toBe(
    status === 401 ? "UNAUTHORIZED" : status === 403 ? "FORBIDDEN" : "NOT_FOUND",
  );
  expect(body.error.requestId, label).toMatch(/^req_/);
}

let cases = 0;

beforeAll(async () => {
  [a, b] = [await seedOrg("alpha"), await seedOrg("bravo")];
  const doc = await call("/api/openapi.json", { token: a.t.admin });
  const paths = ((await doc.json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> })
    .paths;
  routes = [...(await documentedRoutes(a.t.admin)), ...UNDOCUMENTED]
    .filter((r) => !PUBLIC.has(`${r.method} ${r.path}`))
    .map((r) => ({ ...r, hasBody: Boolean(paths[r.path]?.[r.method.toLowerCase()]?.requestBody) }));
}, 60_000);

describe("the auth matrix", { timeout: 600_000 }, () => {
  it("covers every documented route but the explicitly public ones", () => {
    expect(routes.length).toBeGreaterThan(40);
    const documented = routes.map((r) => `${r.method} ${r.path}`);
    for (const route of [
      "GET /api/v1/hosts",
      "POST /api/v1/orgs",
      "GET /api/v1/audit",
      "GET /metrics",
      "POST /api/v1/hosts/{id}/re-enroll",
    ]) {
      expect(documented).toContain(route);
    }
  });

  it("refuses a request without credentials, with a malformed header or with an unknown token (401)", async () => {
    for (const route of routes) {
      const label = `${route.method} ${route.path}`;
      const none = await send(route, {});
      expectErrorShape(none.text, 401, none.res, `${label} without a token`);
      for (const authorization of MALFORMED) {
        const bad = await send(route, { headers: { authorization } });
        expectErrorShape(bad.text, 401, bad.res, `${label} with "${authorization}"`);
      }
      const unknown = await send(route, { token: `sh_admin_${crypto.randomUUID().replaceAll("-", "")}` });
      expectErrorShape(unknown.text, 401, unknown.res, `${label} with an unknown token`);
      for (const { url, text } of [none, unknown]) expectNoLeak(a, url, text, label);
      cases += 2 + MALFORMED.length;
    }
  });

  it("refuses revoked and expired tokens (401), even admin ones", async () => {
    for (const route of routes) {
      for (const which of ["revoked", "expired"] as const) {
        const { url, res, text } = await send(route, { token: a.tokens[which] });
        expectErrorShape(text, 401, res, `${route.method} ${route.path} with a ${which} token`);
        expectNoLeak(a, url, text, route.path);
        cases++;
      }
    }
  });

  it("refuses a signed-out session's cookie on every route (401): sign-out ended it on the server", async () => {
    for (const route of routes) {
      const { url, res, text } = await send(route, { headers: { cookie: a.people.signedOut } });
      expectErrorShape(text, 401, res, `${route.method} ${route.path} with a signed-out cookie`);
      expectNoLeak(a, url, text, route.path);
      cases++;
    }
  });

  it("refuses people every route their role is not for (403), as it refuses tokens of that scope", async () => {
    for (const route of routes.filter((r) => r.path.startsWith("/api/"))) {
      for (const role of ["admin", "operator", "read"] as const) {
        if (!wrongScopes(route).includes(role)) continue;
        const { res, text } = await send(route, { headers: { cookie: a.people[role] } });
        expectErrorShape(text, 403, res, `${route.method} ${route.path} as a person with the ${role} role`);
        cases++;
      }
    }
  });

  it("refuses every scope the route is not for (403)", async () => {
    for (const route of routes) {
      for (const scope of wrongScopes(route)) {
        const { res, text } = await send(route, { token: tokenOf(a, scope) });
        expectErrorShape(text, 403, res, `${route.method} ${route.path} with a ${scope} token`);
        cases++;
      }
    }
  });

  it("never lets another org's token reach or see this org's data (404 for its ids)", async () => {
    const before = await snapshot(a);
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      // Org B's strongest token for the route: if an admin cannot cross over, nothing weaker can.
      const scopes: (Scope | "admin person")[] = AGENT_ONLY.has(key)
        ? ["agent"]
        : key === ENROLL
          ? ["enroll"]
          : ["admin", "admin person"];
      for (const scope of scopes) {
        const credentials =
          scope === "admin person" ? { headers: { cookie: b.people.admin } } : { token: tokenOf(b, scope) };
        const { url, res, text } = await send(route, credentials);
        const label = `${key} with org B's ${scope === "admin person" ? "admin person's session" : `${scope} token`}`;
        expect(res.status, `${label}: ${text.slice(0, 300)}`).toBeLessThan(500);
        expectNoLeak(a, url, text, label);
        const targetsA = route.path.includes("{") && !UPSERTS.has(key);
        if (targetsA && res.status !== 403) {
          const known = !route.hasBody || key in BODIES;
          if (known) expectErrorShape(text, 404, res, label);
          else expect([400, 404], label).toContain(res.status);
        }
        if (res.status < 300 && targetsA) throw new Error(`${label} succeeded on org A's id`);
        cases++;
      }
    }
    expect(await snapshot(a)).toEqual(before);
    console.log(`auth matrix: ${routes.length} routes, ${cases} refusal cases`);
  });
});

/** Org A's data, to prove that org B's calls changed none of it. */
async function snapshot(org: Seeded) {
  const one = async (query: string) => JSON.stringify(await sql(query, org.t.orgId));
  return {
    hosts: await one("SELECT id, host_group FROM hosts WHERE org_id = ?"),
    tokens: await one("SELECT id, revoked_at FROM tokens WHERE org_id = ? ORDER BY id"),
    commands: await one("SELECT id, status FROM commands WHERE org_id = ? ORDER BY id"),
    issues: await one("SELECT id, status FROM issues WHERE org_id = ? ORDER BY id"),
    channels: await one("SELECT id, enabled, updated_at FROM channels WHERE org_id = ?"),
    rules: await one("SELECT id, enabled, updated_at FROM rules WHERE org_id = ?"),
    hooks: await one("SELECT name, url, updated_at FROM action_webhooks WHERE org_id = ?"),
    windows: await one("SELECT id FROM maintenance_windows WHERE org_id = ?"),
    checks: await one("SELECT id FROM edge_checks WHERE org_id = ?"),
    scopes: await one(
      "SELECT kind, key, updated_at FROM scope_overrides WHERE org_id = ? ORDER BY kind, key",
    ),
    audit: await one("SELECT count(*) FROM audit_log WHERE org_id = ?"),
    members: await one("SELECT user_id, role FROM memberships WHERE org_id = ? ORDER BY user_id"),
    sessions: await one("SELECT id, revoked_at FROM sessions WHERE org_id = ? ORDER BY id"),
    invitations: await one(
      "SELECT id, revoked_at, accepted_at FROM invitations WHERE org_id = ? ORDER BY id",
    ),
  };
}
