import { describe, expect, it } from "vitest";
import { call, expectError, json, newTenant, type Session } from "./support/harness";

const cookieOf = (res: Response) => (res.headers.get("set-cookie") ?? "").split(";")[0];

describe("dashboard session", () => {
  it("sets an HttpOnly, SameSite=Strict cookie that the API accepts", async () => {
    const t = await newTenant();
    const res = await call("/api/v1/session", { body: { token: t.admin } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ scope: "admin", orgId: t.orgId, name: "test admin" });
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^selfheal_session=sh_admin_/);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toContain("Path=/");
    const status = await json("/api/healing/status", { headers: { cookie: cookieOf(res) } });
    expect(status).toMatchObject({ enabled: true });
    const session = await json<Session>("/api/v1/session", { headers: { cookie: cookieOf(res) } });
    expect(session.orgId).toBe(t.orgId);
  });

  it("gives a read token's cookie read access only", async () => {
    const t = await newTenant();
    const res = await call("/api/v1/session", { body: { token: await t.token("read") } });
    const cookie = cookieOf(res);
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

  it("clears the cookie on DELETE", async () => {
    const res = await call("/api/v1/session", { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/^selfheal_session=;.*Max-Age=0/);
  });

  it("prefers the Authorization header over the cookie", async () => {
    const t = await newTenant();
    const res = await call("/api/v1/session", { body: { token: await t.token("read") } });
    const session = await json<Session>("/api/v1/session", {
      token: t.admin,
      headers: { cookie: cookieOf(res) },
    });
    expect(session.scope).toBe("admin");
  });
});
