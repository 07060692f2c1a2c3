/**
 * Passkeys, with real WebAuthn bytes from a software authenticator (a WebCrypto P-256 key; the
 * server's verifier is the real one): a person adds one, then signs in with it by email or as a
 * discoverable credential; a wrong origin or RP ID, a replayed or expired challenge, an unknown
 * credential, a removed member and a counter going backwards are all refused, with no session.
 */
import { describe, expect, it } from "vitest";
import type { Passkey } from "../../worker/schemas/passkeys";
import {
  call,
  cookieOf,
  expectError,
  json,
  newTenant,
  type Session,
  sql,
  type Tenant,
  unique,
} from "./support/harness";
import { SoftAuthenticator } from "./support/soft-authenticator";

const ORIGIN = "http://selfheal.test"; // the harness's base URL
type Options = {
  challenge: string;
  rp?: { id?: string };
  rpId?: string;
  allowCredentials?: { id: string }[];
};

/** A new person in `t` (by an invitation link), signed in: their cookie, id and email. */
async function person(t: Tenant, role = "operator") {
  const { token } = await json<{ token: string }>(
    "/api/v1/invitations",
    {
      token: t.admin,
      body: { role, note: "passkey person" },
    },
    201,
  );
  const email = `${unique("pk")}@example.com`;
  const res = await call("/api/v1/invitations/accept", { body: { token, name: unique("Person"), email } });
  expect(res.status, await res.clone().text()).toBe(200);
  const session = (await res.json()) as Session;
  return { cookie: cookieOf(res), userId: session.userId as string, email };
}

/** Adds a passkey made by a fresh software authenticator for the signed-in person. */
async function addPasskey(cookie: string, name = "laptop") {
  const auth = new SoftAuthenticator(ORIGIN);
  const options = await json<Options & { user: { id: string } }>("/api/v1/passkeys/register/options", {
    method: "POST",
    headers: { cookie },
  });
  const added = await json<Passkey>(
    "/api/v1/passkeys/register",
    {
      headers: { cookie },
      body: { response: await auth.create(options), name },
    },
    201,
  );
  return { auth, added };
}

const signInOptions = (email?: string) =>
  json<Options>("/api/v1/passkeys/sign-in/options", { body: email ? { email } : {} });
const signIn = (response: unknown, orgId?: string) =>
  call("/api/v1/passkeys/sign-in", { body: { response, ...(orgId ? { orgId } : {}) } });

async function sessionsOf(userId: string) {
  return (await sql("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?", userId))[0].n as number;
}

describe("passkeys", () => {
  it("adds a passkey for a signed-in person and lists it as theirs, recorded in the audit log", async () => {
    const t = await newTenant();
    const p = await person(t);
    const { auth, added } = await addPasskey(p.cookie, "work laptop");
    expect(added).toMatchObject({ name: "work laptop", transports: ["internal"], lastUsedAt: null });
    const mine = await json<{ items: Passkey[] }>("/api/v1/passkeys", { headers: { cookie: p.cookie } });
    expect(mine.items.map((k) => k.id)).toEqual([added.id]);
    const [row] = await sql("SELECT * FROM passkeys WHERE id = ?", added.id);
    expect(row).toMatchObject({ user_id: p.userId, credential_id: auth.id, counter: 0 });
    const [entry] = await sql(
      "SELECT * FROM audit_log WHERE action = 'passkey.add' AND target_id = ?",
      added.id,
    );
    expect(entry).toMatchObject({ org_id: t.orgId, actor_user_id: p.userId });
    // Another person's list does not show it; a token's session has no passkeys at all.
    const other = await person(t);
    expect(
      (await json<{ items: Passkey[] }>("/api/v1/passkeys", { headers: { cookie: other.cookie } })).items,
    ).toEqual([]);
    await expectError(await call("/api/v1/passkeys", { token: t.admin }), 403, "FORBIDDEN");
  });

  it("signs in by email with the passkey: a server session for that person, the counter stored", async () => {
    const t = await newTenant();
    const p = await person(t);
    const { auth, added } = await addPasskey(p.cookie);
    const options = await signInOptions(p.email.toUpperCase());
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([auth.id]);
    const res = await signIn(await auth.get(options));
    expect(res.status, await res.clone().text()).toBe(200);
    const started = (await res.json()) as Session;
    expect(started).toMatchObject({ signedIn: true, orgId: t.orgId, userId: p.userId, scope: "operator" });
    const cookie = cookieOf(res);
    expect(await json<Session>("/api/v1/session", { headers: { cookie } })).toMatchObject({
      userId: p.userId,
      sessionId: started.sessionId,
    });
    const [row] = await sql("SELECT counter, last_used_at FROM passkeys WHERE id = ?", added.id);
    expect(row.counter).toBe(1);
    expect(row.last_used_at).toEqual(expect.any(Number));
    const [entry] = await sql(
      "SELECT * FROM audit_log WHERE action = 'session.passkey' AND target_id = ?",
      added.id,
    );
    expect(entry).toMatchObject({ org_id: t.orgId, actor_user_id: p.userId });
  });

  it("signs in with a discoverable passkey and no email", async () => {
    const t = await newTenant();
    const p = await person(t);
    const { auth } = await addPasskey(p.cookie);
    const options = await signInOptions();
    expect(options.allowCredentials ?? []).toEqual([]);
    const res = await signIn(await auth.get(options));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as Session).userId).toBe(p.userId);
  });

  it("lists passkey among the sign-in methods", async () => {
    const state = await json<{ methods: string[] }>("/api/v1/session", {});
    expect(state.methods).toContain("passkey");
  });

  it("refuses an assertion made for another origin (a phishing page) or another RP ID", async () => {
    const t = await newTenant();
    const p = await person(t);
    const { auth } = await addPasskey(p.cookie);
    const before = await sessionsOf(p.userId);
    const wrongOrigin = await auth.get(await signInOptions(), {
      origin: "http://selfheal.test.evil.example",
    });
    await expectError(await signIn(wrongOrigin), 401, "UNAUTHORIZED");
    const wrongRp = await auth.get(await signInOptions(), { rpId: "evil.example" });
    await expectError(await signIn(wrongRp), 401, "UNAUTHORIZED");
    expect(await sessionsOf(p.userId)).toBe(before);
  });

  it("refuses a registration made for another origin", async () => {
    const t = await newTenant();
    const p = await person(t);
    const options = await json<Options>("/api/v1/passkeys/register/options", {
      method: "POST",
      headers: { cookie: p.cookie },
    });
    const made = await new SoftAuthenticator(ORIGIN).create(options, { origin: "http://evil.example" });
    await expectError(
      await call("/api/v1/passkeys/register", { headers: { cookie: p.cookie }, body: { response: made } }),
      401,
      "UNAUTHORIZED",
    );
    expect(await sql("SELECT id FROM passkeys WHERE user_id = ?", p.userId)).toEqual([]);
  });

  it("uses a challenge once: a replayed assertion, or a second one over the same challenge, is refused", async () => {
    const t = await newTenant();
    const p = await person(t);
    const { auth } = await addPasskey(p.cookie);
    const options = await signInOptions();
    const first = await auth.get(options);
    expect((await signIn(first)).status).toBe(200);
    const before = await sessionsOf(p.userId);
    await expectError(await signIn(first), 401, "UNAUTHORIZED");
    await expectError(await signIn(await auth.get(options)), 401, "UNAUTHORIZED");
    expect(await sessionsOf(p.userId)).toBe(before);
  });

  it("refuses an expired challenge and a challenge it never issued", async () => {
    const t = await newTenant();
    const p = await person(t);
    const { auth } = await addPasskey(p.cookie);
    const options = await signInOptions();
    await sql(
      "UPDATE passkey_challenges SET expires_at = ? WHERE challenge = ?",
      Date.now() - 1,
      options.challenge,
    );
    const expired = await expectError(await signIn(await auth.get(options)), 401, "UNAUTHORIZED");
    expect(expired.message).toContain("expired");
    const made = await auth.get(options, { challenge: "bm90LWlzc3VlZC1ieS10aGUtc2VydmVy" });
    await expectError(await signIn(made), 401, "UNAUTHORIZED");
  });

  it("refuses a credential it does not know", async () => {
    const t = await newTenant();
    const p = await person(t);
    await addPasskey(p.cookie);
    const stranger = new SoftAuthenticator(ORIGIN);
    await stranger.create({ challenge: "eA", rp: { id: "selfheal.test" } });
    const err = await expectError(
      await signIn(await stranger.get(await signInOptions())),
      401,
      "UNAUTHORIZED",
    );
    expect(err.message).toContain("unknown passkey");
  });

  it("refuses a removed member's passkey for that org, and starts no session there", async () => {
    const t = await newTenant();
    const p = await person(t);
    const { auth } = await addPasskey(p.cookie);
    // The same person also belongs to a second org (the link accepted while signed in).
    const t2 = await newTenant();
    const link = await json<{ token: string }>(
      "/api/v1/invitations",
      { token: t2.admin, body: { role: "read", note: "second org" } },
      201,
    );
    const joined = await call("/api/v1/invitations/accept", {
      body: { token: link.token },
      headers: { cookie: p.cookie },
    });
    expect(joined.status, await joined.clone().text()).toBe(200);
    expect((await call(`/api/v1/users/${p.userId}`, { token: t.admin, method: "DELETE" })).status).toBe(204);
    const inFirst = async () =>
      (
        await sql(
          "SELECT COUNT(*) AS n FROM sessions WHERE user_id = ? AND org_id = ? AND revoked_at IS NULL",
          p.userId,
          t.orgId,
        )
      )[0].n;
    expect(await inFirst()).toBe(0);
    await expectError(await signIn(await auth.get(await signInOptions()), t.orgId), 403, "FORBIDDEN");
    expect(await inFirst()).toBe(0);
    const elsewhere = await signIn(await auth.get(await signInOptions()));
    expect(elsewhere.status).toBe(200);
    expect(((await elsewhere.json()) as Session).orgId).toBe(t2.orgId);
    // Removed from its last org too, the passkey opens nothing.
    expect((await call(`/api/v1/users/${p.userId}`, { token: t2.admin, method: "DELETE" })).status).toBe(204);
    await expectError(await signIn(await auth.get(await signInOptions())), 403, "FORBIDDEN");
  });

  it("refuses a signature counter that goes backwards (a cloned authenticator)", async () => {
    const t = await newTenant();
    const p = await person(t);
    const { auth } = await addPasskey(p.cookie);
    auth.counter = 5;
    expect((await signIn(await auth.get(await signInOptions()))).status).toBe(200);
    auth.counter = 3;
    await expectError(await signIn(await auth.get(await signInOptions())), 401, "UNAUTHORIZED");
    auth.counter = 6; // the same counter again is refused too; a higher one is fine
    expect((await signIn(await auth.get(await signInOptions()))).status).toBe(200);
  });

  it("renames and removes a passkey; a removed one no longer signs in", async () => {
    const t = await newTenant();
    const p = await person(t);
    const { auth, added } = await addPasskey(p.cookie);
    const other = await person(t);
    await expectError(
      await call(`/api/v1/passkeys/${added.id}`, { method: "DELETE", headers: { cookie: other.cookie } }),
      404,
      "NOT_FOUND",
    );
    const renamed = await json<Passkey>(`/api/v1/passkeys/${added.id}`, {
      method: "PATCH",
      headers: { cookie: p.cookie },
      body: { name: "phone" },
    });
    expect(renamed.name).toBe("phone");
    await json(`/api/v1/passkeys/${added.id}`, { method: "DELETE", headers: { cookie: p.cookie } });
    await expectError(await signIn(await auth.get(await signInOptions())), 401, "UNAUTHORIZED");
    const [entry] = await sql(
      "SELECT * FROM audit_log WHERE action = 'passkey.remove' AND target_id = ?",
      added.id,
    );
    expect(entry).toMatchObject({ actor_user_id: p.userId });
  });
});
