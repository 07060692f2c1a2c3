/**
 * Cloudflare Access sign-in: assertions signed by the team's keys (test keys, served as the
 * team's JWKS by a local answer to the Worker's fetch) sign a person with an account in; every
 * other assertion is refused.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { cookieOf, expectError, json, newTenant, type Session, sql, unique } from "./support/harness";
import { callWith } from "./support/sec-harness";

const TEAM = "selfheal-test.cloudflareaccess.com";
const AUD = "a".repeat(64);
const CERTS = "http://access.test/cdn-cgi/access/certs";
const VARS = {
  SELFHEAL_ACCESS_TEAM_DOMAIN: TEAM,
  SELFHEAL_ACCESS_AUD: AUD,
  SELFHEAL_ACCESS_CERTS_URL: CERTS,
};

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
const part = (value: unknown) => b64url(new TextEncoder().encode(JSON.stringify(value)));

/** Keys get ids of their own, as Access's do: the Worker keeps a team's keys for ten minutes. */
async function teamKey(kid = unique("kid")) {
  const pair = (await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const jwk = {
    ...((await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey),
    kid,
    alg: "RS256",
  };
  return {
    jwk,
    async sign(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: "RS256", kid }) {
      const input = `${part(header)}.${part(claims)}`;
      const sig = await crypto.subtle.sign(
        "RSASSA-PKCS1-v1_5",
        pair.privateKey,
        new TextEncoder().encode(input),
      );
      return `${input}.${b64url(new Uint8Array(sig))}`;
    },
  };
}

/** Answers the Worker's fetch of the certs URL with `keys`, as the team's endpoint would. */
function serveTeamKeys(keys: JsonWebKey[]) {
  const real = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    if (req.url !== CERTS) return real(input as RequestInfo, init);
    return Response.json({ keys, public_cert: {}, public_certs: [] });
  });
  return () => spy.mockRestore();
}
let restore = () => {};
afterEach(() => restore());

const claimsFor = (email: string, over: Record<string, unknown> = {}) => {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: [AUD],
    email,
    exp: now + 600,
    iat: now,
    nbf: now,
    iss: `https://${TEAM}`,
    type: "app",
    sub: "x",
    ...over,
  };
};

const viaAccess = (assertion: string | null, vars: Record<string, unknown> = VARS, body: unknown = {}) =>
  callWith(vars, "/api/v1/session/access", {
    body,
    headers: assertion ? { "cf-access-jwt-assertion": assertion } : {},
  });

/** A person in `t` with `email`, through an invitation link. */
async function person(email: string) {
  const t = await newTenant();
  const invite = await json<{ token: string }>(
    "/api/v1/invitations",
    { token: t.admin, body: { role: "operator", note: "access" } },
    201,
  );
  const joined = await json<Session>("/api/v1/invitations/accept", {
    body: { token: invite.token, name: "Grace", email },
  });
  return { t, userId: joined.userId };
}

describe("Cloudflare Access sign-in", () => {
  it("signs in the person the team's signed assertion names, to a server session", async () => {
    const key = await teamKey();
    restore = serveTeamKeys([(await teamKey()).jwk, key.jwk]);
    const email = `${unique("grace")}@example.com`;
    const { t, userId } = await person(email);
    const res = await viaAccess(await key.sign(claimsFor(email.toUpperCase())));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({
      signedIn: true,
      userId,
      orgId: t.orgId,
      scope: "operator",
      name: "Grace",
    });
    const cookie = cookieOf(res);
    expect(await json<Session>("/api/v1/session", { headers: { cookie } })).toMatchObject({ userId });
    const [row] = await sql("SELECT count(*) AS n FROM sessions WHERE user_id = ?", userId);
    expect(row.n).toBe(2);
  });

  it("offers Access on the sign-in page only when it is configured", async () => {
    expect(await (await callWith(VARS, "/api/v1/session")).json()).toEqual({
      signedIn: false,
      methods: ["access", "passkey", "token"],
    });
    expect(await (await callWith({}, "/api/v1/session")).json()).toEqual({
      signedIn: false,
      methods: ["passkey", "token"],
    });
    await expectError(await viaAccess("x.y.z", {}), 404, "NOT_FOUND");
  });

  it("refuses assertions that are forged, expired, for another application or issuer, or not RS256 (401)", async () => {
    const key = await teamKey();
    const stranger = await teamKey(String(key.jwk.kid)); // the team key's id, not the team's key
    restore = serveTeamKeys([key.jwk]);
    const email = `${unique("grace")}@example.com`;
    await person(email);
    const now = Math.floor(Date.now() / 1000);
    const bad = [
      await stranger.sign(claimsFor(email)),
      await key.sign(claimsFor(email, { exp: now - 120 })),
      await key.sign(claimsFor(email, { nbf: now + 600 })),
      await key.sign(claimsFor(email, { aud: ["b".repeat(64)] })),
      await key.sign(claimsFor(email, { iss: "https://other.cloudflareaccess.com" })),
      await key.sign(claimsFor(email), { alg: "HS256", kid: key.jwk.kid }),
      await key.sign(claimsFor(email), { alg: "RS256", kid: "unknown" }),
      `${part({ alg: "none", kid: key.jwk.kid })}.${part(claimsFor(email))}.`,
      "not-a-jwt",
    ];
    for (const assertion of bad) {
      const res = await viaAccess(assertion);
      await expectError(res, 401, "UNAUTHORIZED");
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    await expectError(await viaAccess(null), 401, "UNAUTHORIZED");
  });

  it("refuses a valid assertion for an email without an account, or for an org the person is not in (403)", async () => {
    const key = await teamKey();
    restore = serveTeamKeys([key.jwk]);
    await expectError(
      await viaAccess(await key.sign(claimsFor(`${unique("nobody")}@example.com`))),
      403,
      "FORBIDDEN",
    );
    const email = `${unique("grace")}@example.com`;
    await person(email);
    const other = await newTenant();
    await expectError(
      await viaAccess(await key.sign(claimsFor(email)), VARS, { orgId: other.orgId }),
      403,
      "FORBIDDEN",
    );
  });
});
