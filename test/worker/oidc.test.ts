/**
 * OpenID Connect sign-in against a local provider built from jose keys (discovery, authorize,
 * token, JWKS), whose endpoints answer the Worker's fetches. A person with an account, or arriving
 * with an invitation, gets a server session; every forged, stale or replayed step is refused.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { cookieOf, expectError, json, newTenant, type Session, sql, unique } from "./support/harness";
import { type OidcProvider, oidcProvider, type Tamper } from "./support/oidc-provider";
import { callWith } from "./support/sec-harness";

const CLIENT_ID = "selfheal-dashboard";
const CLIENT_SECRET = "test-client-secret-0123456789";

/** A provider of its own per test (the Worker keeps an issuer's metadata and keys for minutes). */
async function provider() {
  const p = await oidcProvider(`http://localhost/${unique("idp")}`, CLIENT_ID, CLIENT_SECRET);
  const real = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    return req.url.startsWith(`${p.issuer}/`) ? p.handle(req) : real(input as RequestInfo, init);
  });
  restore = () => spy.mockRestore();
  const vars = {
    SELFHEAL_OIDC_ISSUER: p.issuer,
    SELFHEAL_OIDC_CLIENT_ID: CLIENT_ID,
    SELFHEAL_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    SELFHEAL_OIDC_NAME: "Test IdP",
  };
  return { p, vars };
}
let restore = () => {};
afterEach(() => restore());

type Vars = Record<string, string>;

/** Starts a sign-in, as the dashboard does: the provider's URL and the state cookie. */
async function start(vars: Vars, body: Record<string, string> = {}) {
  const res = await callWith(vars, "/api/v1/session/oidc", { body });
  expect(res.status, await res.clone().text()).toBe(200);
  const { url } = (await res.json()) as { url: string };
  return { url, cookie: cookieOf(res) };
}

/** The browser at the provider: it signs the person in and redirects back to the callback. */
async function authorize(p: OidcProvider, url: string) {
  const res = await p.handle(new Request(url));
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get("location") ?? "");
  expect(back.pathname).toBe("/api/v1/session/oidc/callback");
  return back;
}

const callback = (vars: Vars, back: URL, cookie: string | null) =>
  callWith(vars, `${back.pathname}${back.search}`, { headers: cookie ? { cookie } : {} });

/** The whole round trip; the callback's answer. */
async function signIn(p: OidcProvider, vars: Vars, body: Record<string, string> = {}) {
  const { url, cookie } = await start(vars, body);
  return callback(vars, await authorize(p, url), cookie);
}

/** The session secret a response set (beside the state cookie it clears), if any. */
const sessionSecretSet = (res: Response) =>
  /(?:^|, )selfheal_session=([^;]*);/.exec(res.headers.get("set-cookie") ?? "")?.[1] ?? null;

/** The session cookie a successful callback set (it redirects to the dashboard). */
function sessionOf(res: Response) {
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe("/");
  const secret = sessionSecretSet(res);
  expect(secret).toMatch(/^[0-9A-Za-z]{43}$/);
  return `selfheal_session=${secret}`;
}

async function invitation(admin: string, role: "admin" | "operator" | "read" = "operator") {
  return json<{ token: string; id: string }>(
    "/api/v1/invitations",
    { token: admin, body: { role, note: "oidc" } },
    201,
  );
}

/** A person with an account in `t` (made through an invitation link), with `email`. */
async function member(email: string) {
  const t = await newTenant();
  const invite = await invitation(t.admin);
  const joined = await json<Session>("/api/v1/invitations/accept", {
    body: { token: invite.token, name: "Grace", email },
  });
  return { t, userId: joined.userId };
}

describe("OpenID Connect sign-in", () => {
  it("signs in the person whose verified email has an account, links the login, and makes a session", async () => {
    const { p, vars } = await provider();
    const email = `${unique("grace")}@example.com`;
    const { t, userId } = await member(email);
    p.person = { sub: unique("sub"), email: email.toUpperCase(), email_verified: true, name: "G. Hopper" };
    const cookie = sessionOf(await signIn(p, vars));
    expect(await json<Session>("/api/v1/session", { headers: { cookie } })).toMatchObject({
      signedIn: true,
      userId,
      orgId: t.orgId,
      scope: "operator",
      name: "Grace",
    });
    expect(await sql("SELECT user_id FROM identities WHERE subject = ?", p.person.sub)).toEqual([
      { user_id: userId },
    ]);
    // Linked: the issuer's subject finds the person even after their email there changes.
    p.person = { ...p.person, email: `${unique("other")}@example.com`, email_verified: false };
    const again = sessionOf(await signIn(p, vars));
    expect(await json<Session>("/api/v1/session", { headers: { cookie: again } })).toMatchObject({ userId });
    expect(await sql("SELECT count(*) AS n FROM oidc_logins WHERE issuer = ?", p.issuer)).toEqual([{ n: 0 }]);
  });

  it("lists the method with its name only when configured", async () => {
    const { vars } = await provider();
    expect(await (await callWith(vars, "/api/v1/session")).json()).toEqual({
      signedIn: false,
      methods: ["oidc", "passkey", "token"],
      oidcName: "Test IdP",
    });
    expect(await (await callWith({}, "/api/v1/session")).json()).toEqual({
      signedIn: false,
      methods: ["passkey", "token"],
    });
    await expectError(await callWith({}, "/api/v1/session/oidc", { body: {} }), 404, "NOT_FOUND");
  });

  it("refuses ID tokens for another audience or issuer, expired, forged, unsigned or with another nonce (401)", async () => {
    const { p, vars } = await provider();
    const email = `${unique("grace")}@example.com`;
    await member(email);
    p.person = { sub: unique("sub"), email, email_verified: true, name: "Grace" };
    const now = Math.floor(Date.now() / 1000);
    const spoiled: [Tamper, RegExp][] = [
      [{ claims: { aud: "another-client" } }, /"aud"/],
      [{ claims: { iss: "http://localhost/another-issuer" } }, /"iss"/],
      [{ claims: { exp: now - 600, iat: now - 900 } }, /"exp"/],
      [{ sign: "stranger" }, /signature/],
      [{ sign: "none" }, /"alg"/],
      [{ claims: { nonce: "not-the-nonce-we-sent" } }, /"nonce"/],
    ];
    for (const [tamper, why] of spoiled) {
      const { url, cookie } = await start(vars);
      const back = await authorize(p, url);
      p.tamper = tamper;
      const res = await callback(vars, back, cookie);
      const error = await expectError(res, 401, "UNAUTHORIZED");
      expect(error.message).toMatch(why);
      expect(sessionSecretSet(res), JSON.stringify(tamper)).toBeNull();
    }
    expect(await sql("SELECT count(*) AS n FROM identities WHERE subject = ?", p.person.sub)).toEqual([
      { n: 0 },
    ]);
    sessionOf(await signIn(p, vars)); // the same person, honestly signed
  });

  it("refuses a callback whose state is wrong or missing, or that replays a code (401)", async () => {
    const { p, vars } = await provider();
    const email = `${unique("grace")}@example.com`;
    await member(email);
    p.person = { sub: unique("sub"), email, email_verified: true, name: "Grace" };

    const wrong = await start(vars);
    const back = await authorize(p, wrong.url);
    back.searchParams.set("state", "someone-elses-state");
    await expectError(await callback(vars, back, wrong.cookie), 401, "UNAUTHORIZED");

    const noCookie = await start(vars);
    await expectError(await callback(vars, await authorize(p, noCookie.url), null), 401, "UNAUTHORIZED");

    const noState = await start(vars);
    const bare = await authorize(p, noState.url);
    bare.searchParams.delete("state");
    await expectError(await callback(vars, bare, noState.cookie), 401, "UNAUTHORIZED");

    // Another browser's state cookie with this browser's callback (login CSRF).
    const mine = await start(vars);
    const theirs = await start(vars);
    await expectError(await callback(vars, await authorize(p, mine.url), theirs.cookie), 401, "UNAUTHORIZED");

    const done = await start(vars);
    const used = await authorize(p, done.url);
    sessionOf(await callback(vars, used, done.cookie));
    // The same callback again: the sign-in is spent.
    await expectError(await callback(vars, used, done.cookie), 401, "UNAUTHORIZED");
    // The redeemed code under a fresh sign-in: the provider refuses it.
    const fresh = await start(vars);
    const replay = await authorize(p, fresh.url);
    replay.searchParams.set("code", used.searchParams.get("code") ?? "");
    await expectError(await callback(vars, replay, fresh.cookie), 401, "UNAUTHORIZED");
  });

  it("sends a browser whose sign-in was refused back to the sign-in page with the reason, and answers other clients in JSON", async () => {
    const { p, vars } = await provider();
    const email = `${unique("hopper")}@example.com`;
    await member(email);
    p.person = { sub: unique("sub"), email, email_verified: true, name: "Grace" };
    const started = await start(vars);
    const back = await authorize(p, started.url);
    back.searchParams.set("state", "someone-elses-state");
    const browser = { cookie: started.cookie, accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
    const res = await callWith(vars, `${back.pathname}${back.search}`, { headers: browser });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get("location") ?? "", "http://dashboard");
    expect(to.pathname).toBe("/");
    expect(to.searchParams.get("sign_in_failed")).toBe("refused");
    expect(sessionSecretSet(res)).toBeNull();
    // A login without an account: its own code, and never the error's text (which names the email).
    p.person = { sub: unique("sub"), email: `${unique("stranger")}@example.com`, email_verified: true };
    const stranger = await start(vars);
    const strangerBack = await authorize(p, stranger.url);
    const refused = await callWith(vars, `${strangerBack.pathname}${strangerBack.search}`, {
      headers: { ...browser, cookie: stranger.cookie },
    });
    expect(refused.status).toBe(302);
    expect(refused.headers.get("location")).toBe("/?sign_in_failed=no_account");
    // The same refusal for a client that does not ask for a page: the JSON error.
    const again = await start(vars);
    const other = await authorize(p, again.url);
    other.searchParams.set("state", "someone-elses-state");
    await expectError(await callback(vars, other, again.cookie), 401, "UNAUTHORIZED");
  });

  it("refuses a valid login without an account or an invitation (403), and an unverified email is no account", async () => {
    const { p, vars } = await provider();
    p.person = { sub: unique("sub"), email: `${unique("nobody")}@example.com`, email_verified: true };
    await expectError(await signIn(p, vars), 403, "FORBIDDEN");
    const email = `${unique("grace")}@example.com`;
    await member(email);
    p.person = { sub: unique("sub"), email, email_verified: false };
    await expectError(await signIn(p, vars), 403, "FORBIDDEN");
    expect(await sql("SELECT count(*) AS n FROM identities WHERE subject = ?", p.person.sub)).toEqual([
      { n: 0 },
    ]);
  });

  it("accepts an invitation by signing in: a new member with its role, named by the ID token, and only once", async () => {
    const { p, vars } = await provider();
    const t = await newTenant();
    const invite = await invitation(t.admin, "read");
    const email = `${unique("lin")}@example.com`;
    p.person = { sub: unique("sub"), email, email_verified: true, name: "Lin Clark" };
    // Two sign-ins started with the same link: the first to finish takes it.
    const first = await start(vars, { invitation: invite.token });
    const second = await start(vars, { invitation: invite.token });
    const cookie = sessionOf(await callback(vars, await authorize(p, first.url), first.cookie));
    const me = await json<Session>("/api/v1/session", { headers: { cookie } });
    expect(me).toMatchObject({ orgId: t.orgId, scope: "read", name: "Lin Clark" });
    const members = await json<{ items: { id: string; email: string; role: string }[] }>("/api/v1/users", {
      token: t.admin,
    });
    expect(members.items).toContainEqual(expect.objectContaining({ id: me.userId, email, role: "read" }));
    const audit = await sql(
      "SELECT actor_user_id, actor_name FROM audit_log WHERE action = 'invitation.accept' AND target_id = ?",
      invite.id,
    );
    expect(audit).toEqual([{ actor_user_id: me.userId, actor_name: "Lin Clark" }]);

    p.person = {
      sub: unique("sub"),
      email: `${unique("eve")}@example.com`,
      email_verified: true,
      name: "Eve",
    };
    await expectError(
      await callback(vars, await authorize(p, second.url), second.cookie),
      401,
      "UNAUTHORIZED",
    );
    await expectError(
      await callWith(vars, "/api/v1/session/oidc", { body: { invitation: invite.token } }),
      401,
      "UNAUTHORIZED",
    );
    expect(await sql("SELECT count(*) AS n FROM memberships WHERE org_id = ?", t.orgId)).toEqual([{ n: 1 }]);
    // The new member's login is linked: next time no invitation is needed.
    p.person = {
      sub: (await sql("SELECT subject FROM identities WHERE user_id = ?", me.userId))[0].subject as string,
    };
    const back = sessionOf(await signIn(p, vars));
    expect(await json<Session>("/api/v1/session", { headers: { cookie: back } })).toMatchObject({
      userId: me.userId,
    });
  });
});
