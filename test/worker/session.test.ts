/**
 * Dashboard sessions: a token signs in to a server session whose cookie holds a random secret
 * (never the token), stored only as its hash; sign-out, revocation, idle and absolute expiry all
 * end it on the server, so a replayed cookie is refused.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  call,
  cookieOf,
  ENV_ADMIN,
  expectError,
  json,
  newTenant,
  type Session,
  sessionCookie,
  sql,
} from "./support/harness";
import { callWith } from "./support/sec-harness";

const HOUR = 3_600_000;
const secretOf = (cookie: string) => cookie.slice(cookie.indexOf("=") + 1);

async function sha256Hex(text: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const statusWith = (cookie: string) => call("/api/healing/status", { headers: { cookie } });

describe("dashboard session", () => {
  it("exchanges a token for a session whose cookie holds a random secret, stored only hashed", async () => {
    const t = await newTenant();
    const res = await call("/api/v1/session", { body: { token: t.admin } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Session & { expiresAt: string };
    expect(body).toMatchObject({ signedIn: true, scope: "admin", orgId: t.orgId, name: "test admin" });
    expect(body.sessionId).toMatch(/^ses_/);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^selfheal_session=[0-9A-Za-z]{43};/);
    expect(setCookie).not.toContain(t.admin);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).toContain("Path=/");
    const cookie = cookieOf(res);
    const [row] = await sql("SELECT * FROM sessions WHERE id = ?", body.sessionId);
    expect(row.hash).toBe(await sha256Hex(secretOf(cookie)));
    expect(JSON.stringify(row)).not.toContain(secretOf(cookie));
    expect(await json("/api/healing/status", { headers: { cookie } })).toMatchObject({ enabled: true });
    expect(await json<Session>("/api/v1/session", { headers: { cookie } })).toMatchObject({
      signedIn: true,
      orgId: t.orgId,
      sessionId: body.sessionId,
    });
  });

  it("names the cookie __Host-selfheal_session and marks it Secure over https", async () => {
    const t = await newTenant();
    const res = await exports.default.fetch(
      new Request("https://selfheal.test/api/v1/session", {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": "2001:db8::5e" },
        body: JSON.stringify({ token: t.admin }),
      }),
    );
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^__Host-selfheal_session=[0-9A-Za-z]{43};/);
    expect(setCookie).toContain("Secure");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).not.toContain("Domain=");
  });

  it("answers whether a session exists without credentials, instead of a 401", async () => {
    expect(await json("/api/v1/session", {})).toEqual({ signedIn: false, methods: ["passkey", "token"] });
    const ended = await json("/api/v1/session", {
      headers: { cookie: `selfheal_session=${"x".repeat(43)}` },
    });
    expect(ended).toEqual({ signedIn: false, methods: ["passkey", "token"] });
  });

  it("refuses a cookie that holds an API token, as the old sessions did (401)", async () => {
    const t = await newTenant();
    await expectError(await statusWith(`selfheal_session=${t.admin}`), 401, "UNAUTHORIZED");
  });

  it("ends the session on the server at sign-out: replaying the cookie gives 401", async () => {
    const t = await newTenant();
    const cookie = await sessionCookie(t.admin);
    expect((await statusWith(cookie)).status).toBe(200);
    const out = await call("/api/v1/session", { method: "DELETE", headers: { cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^selfheal_session=;.*Max-Age=0/);
    await expectError(await statusWith(cookie), 401, "UNAUTHORIZED");
    expect(await json("/api/v1/session", { headers: { cookie } })).toMatchObject({ signedIn: false });
  });

  it("ends a session idle for a day, and any session a week after sign-in however used", async () => {
    const t = await newTenant();
    const idle = await sessionCookie(t.admin);
    const old = await sessionCookie(t.admin);
    const hashOf = async (cookie: string) => sha256Hex(secretOf(cookie));
    await sql(
      "UPDATE sessions SET last_seen_at = ? WHERE hash = ?",
      Date.now() - 25 * HOUR,
      await hashOf(idle),
    );
    await sql("UPDATE sessions SET expires_at = ? WHERE hash = ?", Date.now() - 1, await hashOf(old));
    await expectError(await statusWith(idle), 401, "UNAUTHORIZED");
    await expectError(await statusWith(old), 401, "UNAUTHORIZED");
    const fresh = await sessionCookie(t.admin);
    await sql(
      "UPDATE sessions SET last_seen_at = ? WHERE hash = ?",
      Date.now() - 23 * HOUR,
      await hashOf(fresh),
    );
    expect((await statusWith(fresh)).status).toBe(200);
  });

  it("ends a token's sessions when the token is revoked", async () => {
    const t = await newTenant();
    const created = await json<{ id: string; token: string }>(
      "/api/v1/tokens",
      { token: t.admin, body: { scope: "read", name: "wall" } },
      201,
    );
    const cookie = await sessionCookie(created.token);
    expect((await statusWith(cookie)).status).toBe(200);
    await json(`/api/v1/tokens/${created.id}`, { token: t.admin, method: "DELETE" });
    await expectError(await statusWith(cookie), 401, "UNAUTHORIZED");
  });

  it("ends a session made from the environment's admin token when that token is rotated or unset", async () => {
    const cookie = await sessionCookie(ENV_ADMIN);
    // the Worker as deployed with another SELFHEAL_ADMIN_TOKEN (or none), the same D1 behind it
    const statusUnder = (adminToken: string | undefined) =>
      callWith({ SELFHEAL_ADMIN_TOKEN: adminToken }, "/api/healing/status", { headers: { cookie } });
    expect((await statusUnder(ENV_ADMIN)).status).toBe(200);
    await expectError(await statusUnder("rotated-admin-token-0123456789"), 401, "UNAUTHORIZED");
    await expectError(await statusUnder(undefined), 401, "UNAUTHORIZED");
    expect((await statusWith(cookie)).status).toBe(200);
  });

  it("lists my sessions and revokes another one of them; never someone else's (404)", async () => {
    const t = await newTenant();
    const other = await newTenant();
    const here = await sessionCookie(t.admin, { "user-agent": "laptop" });
    const there = await sessionCookie(t.admin, { "user-agent": "phone" });
    const theirs = await sessionCookie(other.admin);
    const { items } = await json<{ items: { id: string; userAgent: string; current: boolean }[] }>(
      "/api/v1/me/sessions",
      { headers: { cookie: here } },
    );
    expect(items.map((s) => [s.userAgent, s.current]).sort()).toEqual([
      ["laptop", true],
      ["phone", false],
    ]);
    const phone = items.find((s) => s.userAgent === "phone")?.id;
    const theirId = (await json<Session>("/api/v1/session", { headers: { cookie: theirs } })).sessionId;
    await expectError(
      await call(`/api/v1/me/sessions/${theirId}`, { method: "DELETE", headers: { cookie: here } }),
      404,
      "NOT_FOUND",
    );
    expect((await statusWith(theirs)).status).toBe(200);
    await json(`/api/v1/me/sessions/${phone}`, { method: "DELETE", headers: { cookie: here } });
    await expectError(await statusWith(there), 401, "UNAUTHORIZED");
    expect((await statusWith(here)).status).toBe(200);
  });

  it("gives a read token's session read access only", async () => {
    const t = await newTenant();
    const cookie = await sessionCookie(await t.token("read"));
    await json("/api/healing/issues", { headers: { cookie } });
    await expectError(
      await call("/api/healing/config", { headers: { cookie }, body: { enabled: false } }),
      403,
      "FORBIDDEN",
    );
  });

  it("refuses to sign in enroll tokens (403) and unknown tokens (401)", async () => {
    const t = await newTenant();
    const enroll = await call("/api/v1/session", { body: { token: await t.token("enroll") } });
    await expectError(enroll, 403, "FORBIDDEN");
    expect(enroll.headers.get("set-cookie")).toBeNull();
    await expectError(
      await call("/api/v1/session", { body: { token: "sh_admin_unknown" } }),
      401,
      "UNAUTHORIZED",
    );
  });

  it("prefers the Authorization header over the cookie", async () => {
    const t = await newTenant();
    const cookie = await sessionCookie(await t.token("read"));
    const session = await json<Session>("/api/v1/session", { token: t.admin, headers: { cookie } });
    expect(session.scope).toBe("admin");
    expect(session.sessionId).toBeNull();
  });
});
