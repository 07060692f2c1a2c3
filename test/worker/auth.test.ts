import { describe, expect, it } from "vitest";
import {
  call,
  ENV_ADMIN,
  expectError,
  json,
  must,
  type NewToken,
  newTenant,
  service,
  sql,
} from "./support/harness";

describe("authentication", () => {
  it("answers GET /api/health without credentials", async () => {
    const body = await json("/api/health", {});
    expect(body).toEqual({ status: "ok", version: "0.1.0", time: expect.any(String) });
  });

  it("rejects a request without credentials with 401", async () => {
    await expectError(await call("/api/healing/status"), 401, "UNAUTHORIZED");
  });

  it("rejects an unknown token and a malformed Authorization header with 401", async () => {
    await expectError(await call("/api/healing/status", { token: "sh_admin_nope" }), 401, "UNAUTHORIZED");
    const res = await call("/api/healing/status", { headers: { authorization: "Basic abc" } });
    await expectError(res, 401, "UNAUTHORIZED");
  });

  it("treats SELFHEAL_ADMIN_TOKEN as an admin of org_default", async () => {
    const session = await json("/api/v1/session", { token: ENV_ADMIN });
    // shown by a display name, not by the environment variable's
    expect(session).toMatchObject({ scope: "admin", orgId: "org_default", name: "Administrator" });
  });

  it("stores only a SHA-256 hash and a display prefix of each token", async () => {
    const t = await newTenant();
    const created = await json<NewToken>(
      "/api/v1/tokens",
      { token: t.admin, body: { scope: "read", name: "ci" } },
      201,
    );
    expect(created.token).toMatch(/^sh_read_[0-9A-Za-z]{43}$/);
    expect(created.token.startsWith(created.prefix)).toBe(true);
    const [row] = await sql("SELECT hash, prefix FROM tokens WHERE id = ?", created.id);
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(created.token);
  });

  it("rejects a revoked token with 401 and lists it as revoked", async () => {
    const t = await newTenant();
    const created = await json<NewToken>(
      "/api/v1/tokens",
      { token: t.admin, body: { scope: "read", name: "old" } },
      201,
    );
    await json("/api/healing/status", { token: created.token });
    const revoked = await json<{ id: string; revokedAt: string }>(`/api/v1/tokens/${created.id}`, {
      token: t.admin,
      method: "DELETE",
    });
    expect(revoked).toEqual({ id: created.id, revokedAt: expect.any(String) });
    await expectError(await call("/api/healing/status", { token: created.token }), 401, "UNAUTHORIZED");
    const { items } = await t.get<{ items: { id: string }[] }>("/api/v1/tokens");
    const listed = items.find((i) => i.id === created.id);
    expect(listed).toMatchObject({
      scope: "read",
      revokedAt: revoked.revokedAt,
      lastUsedAt: expect.any(String),
    });
  });

  it("revokes a host's previous agent token when the host enrols again with its key", async () => {
    const t = await newTenant();
    const first = await t.enroll("web-1");
    const again = await t.enroll("web-1", undefined, { key: first.key });
    expect(again.hostId).toBe(first.hostId);
    await first.report({}, 401);
    await again.report({}, 200);
  });

  it("refuses a revoked agent token at once, even one it accepted a moment before", async () => {
    const t = await newTenant();
    const host = await t.enroll();
    await host.report({}, 200); // the token is now held in this isolate's cache
    const { items } = await t.get<{ items: { id: string; scope: string }[] }>("/api/v1/tokens");
    const agentToken = must(items.find((i) => i.scope === "agent"));
    await json(`/api/v1/tokens/${agentToken.id}`, { token: t.admin, method: "DELETE" });
    await host.report({}, 401);
  });

  it("refuses a host's previous agent token at once when it enrols again, even one that just reported", async () => {
    const t = await newTenant();
    const first = await t.enroll("web-1");
    await first.report({}, 200);
    const again = await t.enroll("web-1", undefined, { key: first.key });
    await first.report({}, 401);
    await again.report({}, 200);
  });

  it("keeps one org's hosts and issues invisible to another org", async () => {
    const a = await newTenant();
    const b = await newTenant();
    const host = await a.enroll();
    await host.report({ services: [service("nginx", "down")] });
    const [issue] = await a.issues();
    expect(await b.issues()).toEqual([]);
    expect(await b.get("/api/v1/hosts")).toEqual({ items: [] });
    await expectError(await call(`/api/healing/issues/${issue.id}`, { token: b.admin }), 404, "NOT_FOUND");
    await expectError(await call(`/api/v1/hosts/${host.hostId}`, { token: b.admin }), 404, "NOT_FOUND");
    const res = await call("/api/healing/recover", {
      token: b.admin,
      body: { issue_id: issue.id, action: "auto" },
    });
    await expectError(res, 404, "NOT_FOUND");
  });
});

describe("scopes", () => {
  it("lets a read token GET but not POST, DELETE or manage tokens (403)", async () => {
    const t = await newTenant();
    const read = await t.token("read");
    await json("/api/healing/status", { token: read });
    await json("/api/healing/config", { token: read });
    await expectError(
      await call("/api/healing/config", { token: read, body: { enabled: false } }),
      403,
      "FORBIDDEN",
    );
    await expectError(await call("/api/healing/health-check", { token: read, body: {} }), 403, "FORBIDDEN");
    const recover = await call("/api/healing/recover", {
      token: read,
      body: { issue_id: "iss_x", action: "auto" },
    });
    await expectError(recover, 403, "FORBIDDEN");
    await expectError(await call("/api/v1/tokens", { token: read }), 403, "FORBIDDEN");
    await expectError(
      await call("/api/v1/tokens/tok_x", { token: read, method: "DELETE" }),
      403,
      "FORBIDDEN",
    );
    expect(await t.get("/api/healing/config")).toMatchObject({ enabled: true });
  });

  it("lets an enroll token only enrol", async () => {
    const t = await newTenant();
    const enroll = await t.token("enroll");
    await expectError(await call("/api/healing/status", { token: enroll }), 403, "FORBIDDEN");
    await expectError(await call("/api/v1/hosts", { token: enroll }), 403, "FORBIDDEN");
    const report = await call("/api/v1/agent/report", { token: enroll, body: { protocol: 1, samples: [] } });
    await expectError(report, 403, "FORBIDDEN");
    await json("/api/v1/agent/enroll", { token: enroll, body: { name: "db-1" } });
  });

  it("keeps an agent token to the agent endpoints", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    for (const path of [
      "/api/healing/status",
      "/api/healing/issues",
      "/api/v1/hosts",
      `/api/v1/hosts/${agent.hostId}`,
    ]) {
      await expectError(await call(path, { token: agent.token }), 403, "FORBIDDEN");
    }
    const enroll = await call("/api/v1/agent/enroll", { token: agent.token, body: { name: "other" } });
    await expectError(enroll, 403, "FORBIDDEN");
    const recover = await call("/api/healing/recover", {
      token: agent.token,
      body: { issue_id: "x", action: "auto" },
    });
    await expectError(recover, 403, "FORBIDDEN");
  });

  it("ignores results an agent sends for another host's commands", async () => {
    const t = await newTenant();
    const victim = await t.enroll();
    const intruder = await t.enroll();
    const { commands } = await victim.report({ services: [service("nginx", "down")] });
    const commandId = commands[0].id;
    const finishedAt = new Date().toISOString();
    await intruder.report({
      results: [{ commandId, status: "succeeded", exitCode: 0, output: "", durationMs: 1, finishedAt }],
    });
    const [row] = await sql("SELECT status FROM commands WHERE id = ?", commandId);
    expect(row.status).toBe("delivered");
    const [issue] = await t.issues(`?host=${victim.hostId}`);
    expect(issue.status).toBe("recovering");
  });
});
