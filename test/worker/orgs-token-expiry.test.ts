import { describe, expect, it } from "vitest";
import type { TokenInfo as Listed } from "../../worker/api-types";
import { call, expectError, json, type NewToken, newTenant, sql } from "./support/harness";

const DAY = 86_400;

describe("token expiry", () => {
  it("creates a token expiring after expiresIn seconds and lists its expiry", async () => {
    const t = await newTenant();
    const before = Date.now();
    const body = { scope: "read", name: "ci", expiresIn: 3600 };
    const created = await json<NewToken & Listed>("/api/v1/tokens", { token: t.admin, body }, 201);
    const at = Date.parse(created.expiresAt ?? "");
    expect(at).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 3_600_000);
    const { items } = await t.get<{ items: Listed[] }>("/api/v1/tokens");
    expect(items.find((i) => i.id === created.id)?.expiresAt).toBe(created.expiresAt);
    await json("/api/healing/status", { token: created.token });
  });

  it("accepts an absolute expiresAt and keeps tokens without one unexpiring", async () => {
    const t = await newTenant();
    const expiresAt = new Date(Date.now() + 7 * DAY * 1000).toISOString();
    const dated = await json<Listed>(
      "/api/v1/tokens",
      { token: t.admin, body: { scope: "read", name: "a", expiresAt } },
      201,
    );
    expect(dated.expiresAt).toBe(expiresAt);
    const plain = await json<Listed>(
      "/api/v1/tokens",
      { token: t.admin, body: { scope: "read", name: "b" } },
      201,
    );
    expect(plain.expiresAt).toBeNull();
  });

  it("refuses an expired token with 401 in the one error shape, as if unknown", async () => {
    const t = await newTenant();
    const body = { scope: "admin", name: "short", expiresIn: 60 };
    const created = await json<NewToken>("/api/v1/tokens", { token: t.admin, body }, 201);
    await json("/api/v1/hosts", { token: created.token });
    await sql("UPDATE tokens SET expires_at = ? WHERE id = ?", Date.now() - 1, created.id);
    const error = await expectError(
      await call("/api/v1/hosts", { token: created.token }),
      401,
      "UNAUTHORIZED",
    );
    expect(error.message).toBe("unknown, expired or revoked token");
    await expectError(await call("/api/v1/session", { body: { token: created.token } }), 401, "UNAUTHORIZED");
  });

  it("bounds the lifetime: 60 s to 366 days, one of expiresIn or expiresAt", async () => {
    const t = await newTenant();
    const soon = new Date(Date.now() + 5_000).toISOString();
    const far = new Date(Date.now() + 367 * DAY * 1000).toISOString();
    for (const extra of [
      { expiresIn: 59 },
      { expiresIn: 366 * DAY + 1 },
      { expiresIn: 1.5e3 + 0.5 },
      { expiresIn: "3600" },
      { expiresAt: "2020-01-01T00:00:00Z" },
      { expiresAt: soon },
      { expiresAt: far },
      { expiresAt: "tomorrow" },
      { expiresIn: 3600, expiresAt: new Date(Date.now() + DAY * 1000).toISOString() },
    ]) {
      const res = await call("/api/v1/tokens", {
        token: t.admin,
        body: { scope: "read", name: "x", ...extra },
      });
      await expectError(res, 400, "BAD_REQUEST");
    }
    const [row] = await sql("SELECT count(*) AS n FROM tokens WHERE org_id = ?", t.orgId);
    expect(row.n).toBe(1);
  });
});
