/**
 * People: invitation links (single use, expiring, revocable) bring users into orgs with a role;
 * roles and removal bite at once on their sessions; the four-eyes rule, acknowledgements and the
 * audit log name the person.
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { CreatedToken, TokenInfo } from "../../worker/api-types";
import type { NewInvitation } from "../../worker/schemas/accounts";
import type { CommandView } from "../../worker/schemas/recovery";
import type { AuditEntrySchema } from "../../worker/schemas/tenancy";
import {
  call,
  cookieOf,
  expectError,
  json,
  newTenant,
  type Session,
  service,
  sessionCookie,
  sql,
  type Tenant,
  unique,
} from "./support/harness";

type TokenList = { items: TokenInfo[] };
type AuditPage = { items: z.infer<typeof AuditEntrySchema>[] };

const invite = (t: Tenant, role: string, note = "a colleague") =>
  json<NewInvitation>("/api/v1/invitations", { token: t.admin, body: { role, note } }, 201);

/** Accepts the invitation as a new person (or, with a cookie, as the person signed in). */
async function accept(secret: string, who: { name?: string; email?: string; cookie?: string } = {}) {
  const name = who.name ?? unique("Person");
  const body = who.cookie
    ? { token: secret }
    : { token: secret, name, email: who.email ?? `${unique("person")}@example.com` };
  const res = await call("/api/v1/invitations/accept", {
    body,
    headers: who.cookie ? { cookie: who.cookie } : {},
  });
  return res;
}

async function join(t: Tenant, role: string, name = unique("Person")) {
  const res = await accept((await invite(t, role)).token, { name });
  expect(res.status, await res.clone().text()).toBe(200);
  const session = (await res.json()) as Session;
  return { cookie: cookieOf(res), session, name };
}

const statusWith = (cookie: string) => call("/api/healing/status", { headers: { cookie } });

/** Ada, one of the org's two admin people, and a token she made while signed in (so hers). */
async function adaWithToken(t: Tenant, scope = "read") {
  await join(t, "admin", "another admin");
  const ada = await join(t, "admin", "Ada");
  const made = (tokenScope: string) =>
    json<CreatedToken>(
      "/api/v1/tokens",
      { headers: { cookie: ada.cookie }, body: { scope: tokenScope, name: `ada's ${tokenScope}` } },
      201,
    );
  return { ada, made, mine: await made(scope) };
}

describe("invitations", () => {
  it("makes a single-use link whose acceptance creates the person, the membership and a session", async () => {
    const t = await newTenant();
    const made = await invite(t, "operator", "Ada, on call");
    expect(made.url).toBe(`http://selfheal.test/invite#${made.token}`);
    const res = await accept(made.token, { name: "Ada Lovelace", email: "Ada@Example.com" });
    expect(res.status).toBe(200);
    const session = (await res.json()) as Session;
    expect(session).toMatchObject({
      signedIn: true,
      scope: "operator",
      orgId: t.orgId,
      name: "Ada Lovelace",
    });
    expect(session.userId).toMatch(/^usr_/);
    const cookie = cookieOf(res);
    expect(await json<Session>("/api/v1/session", { headers: { cookie } })).toMatchObject({
      userId: session.userId,
      scope: "operator",
    });
    const members = await json<{ items: { id: string; email: string; role: string }[] }>("/api/v1/users", {
      token: t.admin,
    });
    expect(members.items).toEqual([
      expect.objectContaining({ id: session.userId, email: "ada@example.com", role: "operator" }),
    ]);
    const [row] = await sql("SELECT hash FROM invitations WHERE id = ?", made.id);
    expect(String(row.hash)).not.toContain(made.token);

    await expectError(await accept(made.token), 401, "UNAUTHORIZED");
    const list = await json<{ items: { id: string; status: string; acceptedBy: string }[] }>(
      "/api/v1/invitations",
      { token: t.admin },
    );
    expect(list.items.find((i) => i.id === made.id)).toMatchObject({
      status: "accepted",
      acceptedBy: session.userId,
    });
  });

  it("refuses revoked and expired links (401) and lists them so", async () => {
    const t = await newTenant();
    const revoked = await invite(t, "read");
    const expired = await invite(t, "read");
    await json(`/api/v1/invitations/${revoked.id}`, { token: t.admin, method: "DELETE" });
    await sql("UPDATE invitations SET expires_at = ? WHERE id = ?", Date.now() - 1, expired.id);
    await expectError(await accept(revoked.token), 401, "UNAUTHORIZED");
    await expectError(await accept(expired.token), 401, "UNAUTHORIZED");
    const { items } = await json<{ items: { id: string; status: string }[] }>("/api/v1/invitations", {
      token: t.admin,
    });
    expect(Object.fromEntries(items.map((i) => [i.id, i.status]))).toEqual({
      [revoked.id]: "revoked",
      [expired.id]: "expired",
    });
    expect(await sql("SELECT count(*) AS n FROM memberships WHERE org_id = ?", t.orgId)).toEqual([{ n: 0 }]);
  });

  it("asks a new person for a name and email, and refuses an email already taken (409) without using the link", async () => {
    const t = await newTenant();
    const email = `${unique("taken")}@example.com`;
    await join(t, "read", "First");
    const first = await invite(t, "read");
    expect((await accept(first.token, { email })).status).toBe(200);
    const second = await invite(t, "read");
    await expectError(
      await call("/api/v1/invitations/accept", { body: { token: second.token } }),
      400,
      "BAD_REQUEST",
    );
    await expectError(await accept(second.token, { email: email.toUpperCase() }), 409, "CONFLICT");
    expect((await accept(second.token)).status).toBe(200);
  });

  it("adds another org to a person who accepts while signed in, with a session there", async () => {
    const a = await newTenant();
    const b = await newTenant();
    const ada = await join(a, "admin", "Ada");
    const res = await accept((await invite(b, "read")).token, { cookie: ada.cookie });
    expect(res.status).toBe(200);
    const there = (await res.json()) as Session;
    expect(there).toMatchObject({ userId: ada.session.userId, orgId: b.orgId, scope: "read", name: "Ada" });
    const mine = await json<{ items: { orgId: string }[] }>("/api/v1/me/sessions", {
      headers: { cookie: ada.cookie },
    });
    expect(mine.items.map((s) => s.orgId).sort()).toEqual([a.orgId, b.orgId].sort());
    // already a member: refused, and the link stays usable
    const again = await invite(b, "admin");
    await expectError(await accept(again.token, { cookie: cookieOf(res) }), 409, "CONFLICT");
  });

  it("lets only admins make, list or revoke invitations (403)", async () => {
    const t = await newTenant();
    const op = await join(t, "operator");
    const headers = { cookie: op.cookie };
    await expectError(
      await call("/api/v1/invitations", { headers, body: { role: "admin", note: "me" } }),
      403,
      "FORBIDDEN",
    );
    await expectError(await call("/api/v1/invitations", { headers }), 403, "FORBIDDEN");
    await expectError(await call("/api/v1/users", { headers }), 403, "FORBIDDEN");
  });
});

describe("members", () => {
  it("applies a role change to the member's live session at once", async () => {
    const t = await newTenant();
    await join(t, "admin", "another admin");
    const ada = await join(t, "admin");
    const headers = { cookie: ada.cookie };
    await json("/api/healing/config", { headers, body: { enabled: true } });
    await json(`/api/v1/users/${ada.session.userId}`, {
      token: t.admin,
      method: "PATCH",
      body: { role: "read" },
    });
    await expectError(
      await call("/api/healing/config", { headers, body: { enabled: true } }),
      403,
      "FORBIDDEN",
    );
    expect((await json<Session>("/api/v1/session", { headers })).scope).toBe("read");
  });

  it("ends a removed member's sessions in that org, and keeps the last admin (409)", async () => {
    const t = await newTenant();
    const ada = await join(t, "admin", "Ada");
    const bob = await join(t, "operator", "Bob");
    await expectError(
      await call(`/api/v1/users/${ada.session.userId}`, {
        token: t.admin,
        method: "PATCH",
        body: { role: "read" },
      }),
      409,
      "CONFLICT",
    );
    await expectError(
      await call(`/api/v1/users/${ada.session.userId}`, { token: t.admin, method: "DELETE" }),
      409,
      "CONFLICT",
    );
    const removed = await call(`/api/v1/users/${bob.session.userId}`, { token: t.admin, method: "DELETE" });
    expect(removed.status).toBe(204);
    await expectError(await statusWith(bob.cookie), 401, "UNAUTHORIZED");
    expect((await statusWith(ada.cookie)).status).toBe(200);
  });

  it("never lets a person's token act above their current role: a demotion applies at once, to the token and its session", async () => {
    const t = await newTenant();
    const { ada, made, mine } = await adaWithToken(t, "admin");
    const script = mine.token;
    const enroll = (await made("enroll")).token;
    const metrics = (await made("metrics")).token;
    const wall = await sessionCookie(script);
    const setConfig = (init: { token?: string; headers?: Record<string, string> }) =>
      call("/api/healing/config", { ...init, body: { enabled: true } });
    expect((await setConfig({ token: script })).status).toBe(200);
    expect((await setConfig({ headers: { cookie: wall } })).status).toBe(200);

    const demote = (role: string) =>
      json(`/api/v1/users/${ada.session.userId}`, { token: t.admin, method: "PATCH", body: { role } });
    await demote("operator");
    await expectError(await setConfig({ token: script }), 403, "FORBIDDEN");
    await expectError(await setConfig({ headers: { cookie: wall } }), 403, "FORBIDDEN");
    expect((await json<Session>("/api/v1/session", { headers: { cookie: wall } })).scope).toBe("operator");
    // enrolling hosts is an admin's to arrange; scraping needs only membership
    await expectError(
      await call("/api/v1/agent/enroll", { token: enroll, body: { name: unique("host") } }),
      401,
      "UNAUTHORIZED",
    );
    expect((await call("/metrics", { token: metrics })).status).toBe(200);

    await demote("read");
    expect((await json<Session>("/api/v1/session", { headers: { cookie: wall } })).scope).toBe("read");
    expect((await call("/api/healing/status", { token: script })).status).toBe(200);
    await demote("admin");
    expect((await setConfig({ token: script })).status).toBe(200);
  });

  it("revokes a removed person's tokens, audited, and ends the sessions made from them", async () => {
    const t = await newTenant();
    const { ada, mine } = await adaWithToken(t);
    const wall = await sessionCookie(mine.token);
    const removed = await call(`/api/v1/users/${ada.session.userId}`, { token: t.admin, method: "DELETE" });
    expect(removed.status).toBe(204);
    await expectError(await call("/api/healing/status", { token: mine.token }), 401, "UNAUTHORIZED");
    await expectError(await statusWith(wall), 401, "UNAUTHORIZED");
    const tokens = await json<TokenList>("/api/v1/tokens", { token: t.admin });
    expect(tokens.items.find((x) => x.id === mine.id)?.revokedAt).not.toBeNull();
    const log = await json<AuditPage>("/api/v1/audit?action=token.revoke", { token: t.admin });
    expect(log.items.find((e) => e.targetId === mine.id)?.summary).toMatch(/its owner Ada left/);
  });

  it("refuses a token whose owner is no longer a member, even unrevoked", async () => {
    const t = await newTenant();
    const { ada, mine } = await adaWithToken(t);
    const wall = await sessionCookie(mine.token);
    // a membership gone without the removal route (a person removed before it revoked tokens)
    await sql("DELETE FROM memberships WHERE org_id = ? AND user_id = ?", t.orgId, ada.session.userId);
    await expectError(await call("/api/healing/status", { token: mine.token }), 401, "UNAUTHORIZED");
    await expectError(await statusWith(wall), 401, "UNAUTHORIZED");
  });

  it("never reaches another org's member (404)", async () => {
    const a = await newTenant();
    const b = await newTenant();
    const ada = await join(a, "read");
    await expectError(
      await call(`/api/v1/users/${ada.session.userId}`, {
        token: b.admin,
        method: "PATCH",
        body: { role: "admin" },
      }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/api/v1/users/${ada.session.userId}`, { token: b.admin, method: "DELETE" }),
      404,
      "NOT_FOUND",
    );
    expect((await statusWith(ada.cookie)).status).toBe(200);
  });
});

describe("approvals and records by a person", () => {
  it("refuses a person's approval of their own request, even made with their own token, and names the approver", async () => {
    const t = await newTenant();
    await t.config({ recovery: { auto_recovery: false } });
    const agent = await t.enroll();
    await agent.report({ services: [service("nginx", "down")] });
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    const ada = await join(t, "admin", "Ada");
    const bob = await join(t, "operator", "Bob");
    // Ada's own token: made while signed in as her, so it is hers
    const mine = await json<CreatedToken>(
      "/api/v1/tokens",
      { headers: { cookie: ada.cookie }, body: { scope: "operator", name: "ada's script" } },
      201,
    );
    const tokens = await json<TokenList>("/api/v1/tokens", {
      token: t.admin,
    });
    expect(tokens.items.find((x) => x.id === mine.id)?.ownerUserId).toBe(ada.session.userId);
    const queued = await call("/api/healing/recover", {
      token: mine.token,
      body: { issue_id: issue.id, action: "emergency_shutdown" },
    });
    expect(queued.status).toBe(202);
    const { commandId } = (await queued.json()) as { commandId: string };
    const approve = (cookie: string) =>
      call(`/api/v1/commands/${commandId}/approve`, { headers: { cookie }, body: {} });
    const refused = await expectError(await approve(ada.cookie), 403, "FORBIDDEN");
    expect(refused.message).toMatch(/second person's approval/);
    const res = await approve(bob.cookie);
    expect(res.status).toBe(200);
    expect((await res.json()) as CommandView).toMatchObject({ status: "pending", approvedBy: "Bob" });

    await json(`/api/v1/issues/${issue.id}/acknowledge`, { headers: { cookie: bob.cookie }, method: "POST" });
    expect(await t.issue(issue.id)).toMatchObject({ acknowledgedBy: "Bob" });

    const log = await json<AuditPage>(`/api/v1/audit?actor=${bob.session.userId}`, { token: t.admin });
    expect(log.items.map((e) => e.action).sort()).toEqual([
      "command.approve",
      "invitation.accept",
      "issue.acknowledge",
    ]);
    for (const e of log.items) expect(e.actor).toMatchObject({ userId: bob.session.userId, name: "Bob" });
  });
});
