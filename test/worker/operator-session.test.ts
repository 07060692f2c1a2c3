import { describe, expect, it } from "vitest";
import { call, cookieOf, expectError, json, newTenant, type Session, service } from "./support/harness";

describe("operator sessions", () => {
  it("signs an operator token in to a cookie that reads, recovers and acknowledges but edits nothing", async () => {
    const t = await newTenant();
    await t.config({ recovery: { auto_recovery: false } });
    const agent = await t.enroll("web-1");
    await agent.report({ services: [service("nginx", "down")] });
    const [issue] = await t.issues();
    const body = { scope: "operator", name: "on call" };
    const { token } = await json<{ token: string }>("/api/v1/tokens", { token: t.admin, body }, 201);

    const res = await call("/api/v1/session", { body: { token } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ scope: "operator", orgId: t.orgId, name: "on call" });
    const headers = { cookie: cookieOf(res) };
    expect((await json<Session>("/api/v1/session", { headers })).scope).toBe("operator");
    for (const path of ["/api/healing/status", "/api/healing/issues", "/api/healing/config", "/api/v1/rules"])
      await json(path, { headers });

    await json(`/api/v1/issues/${issue.id}/acknowledge`, { headers, method: "POST" });
    const queued = await json<{ action: string }>(
      "/api/healing/recover",
      { headers, body: { issue_id: issue.id, action: "auto" } },
      202,
    );
    expect(queued.action).toBe("restart_service");

    for (const [path, payload] of [
      ["/api/healing/config", { enabled: false }],
      ["/api/v1/tokens", { scope: "read", name: "x" }],
      ["/api/v1/rules", { id: "x_rule", kind: "service", service: "a", severity: "low" }],
    ] as const) {
      await expectError(await call(path, { headers, body: payload }), 403, "FORBIDDEN");
    }
  });
});
