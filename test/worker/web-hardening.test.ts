/**
 * The dashboard and API against a browser-borne attacker: cross-origin writes with the session
 * cookie, framing and sniffing, Host-derived links, token guessing, and malformed gaps.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import headersFile from "../../web/public/_headers?raw";
import { API_CSP, COMMON_HEADERS, DASHBOARD_CSP } from "../../worker/middleware/security-headers";
import { call, expectError, json, newTenant, sample, type Tenant } from "./support/harness";
import { addChannel, recordOutbound } from "./support/notify-harness";
import { callWith } from "./support/sec-harness";

const SELF = "http://selfheal.test";
const SIBLING = "http://evil.selfheal.test";
let restore = () => {};
afterEach(() => restore());

async function signedIn(t: Tenant) {
  const res = await call("/api/v1/session", { body: { token: t.admin }, headers: { origin: SELF } });
  expect(res.status).toBe(200);
  return (res.headers.get("set-cookie") ?? "").split(";")[0];
}

const ruleEnabled = async (t: Tenant, id: string) =>
  (await json<{ enabled: boolean }>(`/api/v1/rules/${id}`, { token: t.admin })).enabled;

describe("cross-origin writes with the session cookie", () => {
  it("refuses a bodiless text/plain POST from another origin of the same site, changing nothing", async () => {
    const t = await newTenant();
    const cookie = await signedIn(t);
    const res = await call("/api/v1/rules/cpu_warning/disable", {
      method: "POST",
      headers: { cookie, origin: SIBLING, "content-type": "text/plain" },
    });
    await expectError(res, 403, "FORBIDDEN");
    expect(await ruleEnabled(t, "cpu_warning")).toBe(true);
  });

  it("judges by Sec-Fetch-Site, then Referer, when the request has no Origin", async () => {
    const t = await newTenant();
    const cookie = await signedIn(t);
    const disable = (headers: Record<string, string>) =>
      call("/api/v1/rules/cpu_warning/disable", { method: "POST", headers: { cookie, ...headers } });
    await expectError(await disable({ "sec-fetch-site": "same-site" }), 403, "FORBIDDEN");
    await expectError(await disable({ referer: `${SIBLING}/page` }), 403, "FORBIDDEN");
    expect(await ruleEnabled(t, "cpu_warning")).toBe(true);
    expect((await disable({ "sec-fetch-site": "same-origin" })).status).toBe(200);
    expect(await ruleEnabled(t, "cpu_warning")).toBe(false);
  });

  it("accepts a write from the dashboard's own origin", async () => {
    const t = await newTenant();
    const cookie = await signedIn(t);
    const res = await call("/api/v1/rules/cpu_warning/disable", {
      method: "POST",
      headers: { cookie, origin: SELF },
    });
    expect(res.status).toBe(200);
  });

  it("refuses a sign-in posted from another origin, setting no cookie", async () => {
    const t = await newTenant();
    const res = await call("/api/v1/session", { body: { token: t.admin }, headers: { origin: SIBLING } });
    await expectError(res, 403, "FORBIDDEN");
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("never checks a bearer-token request, whatever its Origin", async () => {
    const t = await newTenant();
    const res = await call("/api/v1/rules/cpu_warning/disable", {
      method: "POST",
      token: t.admin,
      headers: { origin: SIBLING },
    });
    expect(res.status).toBe(200);
  });
});

describe("security headers", () => {
  it("forbid framing, sniffing, referrers and any loading on API answers, errors included", async () => {
    const t = await newTenant();
    for (const res of [await call("/api/v1/hosts", { token: t.admin }), await call("/api/v1/hosts")]) {
      expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    }
  });

  it("serve the dashboard page under a CSP without inline code that no page may frame", async () => {
    const res = await call("/issues/iss_1");
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toBe(DASHBOARD_CSP);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(await res.text()).not.toMatch(/<style|<script(?![^>]*\bsrc=)/);
  });

  it("are the same in web/public/_headers, which the assets binding serves the dashboard with", () => {
    const lines = headersFile.split("\n").map((l) => l.trim());
    expect(lines).toContain(`Content-Security-Policy: ${DASHBOARD_CSP}`);
    for (const [name, value] of Object.entries(COMMON_HEADERS)) expect(lines).toContain(`${name}: ${value}`);
    expect(API_CSP).toContain("frame-ancestors 'none'");
  });
});

describe("links in notifications", () => {
  const testMessage = async (vars: Record<string, unknown>) => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    const ch = await addChannel(t, {
      kind: "webhook",
      url: "http://receiver.test/h",
      secret: "s".repeat(16),
    });
    const res = await callWith(vars, `/api/v1/channels/${ch.id}/test`, {
      method: "POST",
      token: t.admin,
      headers: { host: "evil.example" },
    });
    expect(res.status).toBe(200);
    return out.sent[0].json.events[0].link as string | null;
  };

  it("point at SELFHEAL_PUBLIC_URL whatever Host the request named; a test's at the channel list, a real page", async () => {
    const link = await testMessage({ SELFHEAL_PUBLIC_URL: "https://heal.example.com/" });
    expect(link).toBe("https://heal.example.com/settings#channels-title");
  });

  it("are left out without SELFHEAL_PUBLIC_URL, never taken from the request", async () => {
    expect(await testMessage({})).toBeNull();
  });
});

describe("failed authentications", () => {
  const ip = () => `203.0.113.${Math.floor(Math.random() * 250)}-${crypto.randomUUID()}`;

  it("answer 429 with Retry-After past the limit, even to a valid token, and only for that client", async () => {
    const t = await newTenant();
    const client = ip();
    const vars = { SELFHEAL_AUTH_FAILURES_PER_MINUTE: "3" };
    const as = (token: string, who = client) =>
      callWith(vars, "/api/v1/hosts", { token, headers: { "cf-connecting-ip": who } });
    for (let i = 0; i < 3; i++) await expectError(await as("sh_admin_guess"), 401, "UNAUTHORIZED");
    const refused = await as(t.admin);
    await expectError(refused, 429, "RATE_LIMITED");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await as(t.admin, ip())).status).toBe(200);
  });

  it("count failed sign-ins too", async () => {
    const client = ip();
    const vars = { SELFHEAL_AUTH_FAILURES_PER_MINUTE: "2" };
    const signIn = () =>
      callWith(vars, "/api/v1/session", {
        body: { token: "sh_admin_guess" },
        headers: { "cf-connecting-ip": client },
      });
    for (let i = 0; i < 2; i++) await expectError(await signIn(), 401, "UNAUTHORIZED");
    await expectError(await signIn(), 429, "RATE_LIMITED");
  });

  it("count sign-ins started without a credential, which store a challenge, before they store it", async () => {
    const client = ip();
    const vars = { SELFHEAL_SIGN_IN_STARTS_PER_MINUTE: "2" };
    const start = (who = client) =>
      callWith(vars, "/api/v1/passkeys/sign-in/options", { body: {}, headers: { "cf-connecting-ip": who } });
    for (let i = 0; i < 2; i++) expect((await start()).status).toBe(200);
    const refused = await start();
    await expectError(refused, 429, "RATE_LIMITED");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await start(ip())).status).toBe(200);
  });

  it("are counted by the RATE_LIMIT_AUTH_FAILURES binding from wrangler.toml when no per-minute var is set", async () => {
    const bindings = env as unknown as Record<string, RateLimit>;
    expect(typeof bindings.RATE_LIMIT_AUTH_FAILURES?.limit).toBe("function");
    const t = await newTenant();
    const client = ip();
    // The same local binding with a limit of 2 (miniflare's limiter takes a per-call limit).
    const tight = {
      limit: (o: { key: string }) => bindings.RATE_LIMIT_AUTH_FAILURES.limit({ ...o, limit: 2 } as never),
    };
    const as = (token: string) =>
      callWith({ RATE_LIMIT_AUTH_FAILURES: tight }, "/api/v1/hosts", {
        token,
        headers: { "cf-connecting-ip": client },
      });
    for (let i = 0; i < 3; i++) await expectError(await as("sh_admin_guess"), 401, "UNAUTHORIZED");
    await expectError(await as(t.admin), 429, "RATE_LIMITED");
  });
});

describe("sample gaps", () => {
  it("refuses a gap whose from is after its to, naming the field", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const gap = { from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z", samples: 5 };
    const res = await call("/api/v1/agent/report", {
      token: agent.token,
      body: { protocol: 1, samples: [sample()], gaps: [gap] },
    });
    const error = await expectError(res, 400, "BAD_REQUEST");
    expect(JSON.stringify(error)).toContain("gaps.0.from");
  });
});
