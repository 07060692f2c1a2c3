import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { NewOrgSchema } from "../../worker/schemas/tenancy";
import { call, ENV_ADMIN, expectError, json, newTenant, unique } from "./support/harness";
import { asPlatform, auditOf, callWith, PLATFORM } from "./support/sec-harness";

type NewOrg = z.infer<typeof NewOrgSchema>;

async function createOrg(name = unique("acme")) {
  const res = await asPlatform("/api/v1/orgs", { body: { name } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as NewOrg;
}

describe("orgs (platform admin)", () => {
  it("creates an org with a first admin token that works only in the new org", async () => {
    const created = await createOrg("Acme Corp");
    expect(created.org).toEqual({
      id: expect.stringMatching(/^org_/),
      name: "Acme Corp",
      createdAt: expect.any(String),
    });
    expect(created.adminToken).toMatchObject({ scope: "admin", expiresAt: null });
    expect(created.adminToken.token.startsWith(created.adminToken.prefix)).toBe(true);
    const session = await json("/api/v1/session", { token: created.adminToken.token });
    expect(session).toMatchObject({ scope: "admin", orgId: created.org.id });
    expect(await json("/api/v1/hosts", { token: created.adminToken.token })).toEqual({ items: [] });
    const log = await auditOf(created.adminToken.token);
    expect(log.items.map((e) => e.action).sort()).toEqual(["org.create", "token.create"]);
    expect(log.items[0].actor).toEqual({
      tokenId: null,
      userId: null,
      name: "SELFHEAL_PLATFORM_TOKEN",
      scope: "platform",
    });
  });

  it("lists every org to the platform admin", async () => {
    const a = await createOrg();
    const b = await createOrg();
    const res = await asPlatform("/api/v1/orgs");
    const { items } = (await res.json()) as { items: { id: string }[] };
    expect(items.map((o) => o.id)).toEqual(expect.arrayContaining([a.org.id, b.org.id, "org_default"]));
  });

  it("refuses org management to every org token, even the env admin (403)", async () => {
    const t = await newTenant();
    for (const token of [t.admin, ENV_ADMIN, await t.token("read")]) {
      await expectError(await asPlatform("/api/v1/orgs", { token }), 403, "FORBIDDEN");
      await expectError(await asPlatform("/api/v1/orgs", { token, body: { name: "x" } }), 403, "FORBIDDEN");
    }
  });

  it("keeps the platform token out of every org's data, the scrape and the dashboard (403)", async () => {
    for (const path of [
      "/api/v1/hosts",
      "/api/healing/status",
      "/api/v1/tokens",
      "/api/v1/audit",
      "/metrics",
    ]) {
      await expectError(await asPlatform(path), 403, "FORBIDDEN");
    }
    const signIn = await asPlatform("/api/v1/session", { token: null, body: { token: PLATFORM } });
    await expectError(signIn, 403, "FORBIDDEN");
    expect(signIn.headers.get("set-cookie")).toBeNull();
  });

  it("does not know a platform token unless SELFHEAL_PLATFORM_TOKEN is set (401)", async () => {
    await expectError(await call("/api/v1/orgs", { token: PLATFORM }), 401, "UNAUTHORIZED");
    await expectError(await callWith({}, "/api/v1/orgs", { token: PLATFORM }), 401, "UNAUTHORIZED");
  });

  it("validates the org name (400) and creates nothing", async () => {
    for (const body of [
      {},
      { name: "" },
      { name: "x".repeat(129) },
      { name: "a\u0000b" },
      { name: "ok", extra: 1 },
    ]) {
      await expectError(await asPlatform("/api/v1/orgs", { body }), 400, "BAD_REQUEST");
    }
  });
});
