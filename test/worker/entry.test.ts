import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import { call, expectError, newTenant } from "./support/harness";

describe("the entry point", () => {
  it("gives every response an X-Request-Id, successes included", async () => {
    const res = await call("/api/health");
    expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9A-Za-z]{20}$/);
    const other = await call("/api/health");
    expect(other.headers.get("x-request-id")).not.toBe(res.headers.get("x-request-id"));
  });

  it("answers a known path with the wrong method with 405 and an Allow header", async () => {
    const t = await newTenant();
    const res = await call("/api/healing/config", { token: t.admin, method: "PUT", body: {} });
    expect(res.headers.get("allow")).toBe("GET, POST");
    await expectError(res, 405, "METHOD_NOT_ALLOWED");
    const del = await call("/api/healing/issues/iss_1", { token: t.admin, method: "DELETE" });
    await expectError(del, 405, "METHOD_NOT_ALLOWED");
  });

  it("refuses to serve with a misconfigured environment, in the error shape", async () => {
    const request = new Request<unknown, IncomingRequestCfProperties>("http://selfheal.test/api/health");
    const res = await worker.fetch(
      request,
      { DB: env.DB, HOST: env.HOST, ORG_EVENTS: env.ORG_EVENTS, SELFHEAL_ADMIN_TOKEN: "short" },
      createExecutionContext(),
    );
    const body = await expectErrorBody(res);
    expect(res.status).toBe(500);
    expect(body.error.code).toBe("INTERNAL");
    expect(JSON.stringify(body)).not.toContain("short");
  });

  it("answers a malformed report with a plain 400, never a stack trace or a parser message", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const res = await call("/api/v1/agent/report", {
      token: agent.token,
      raw: '{"protocol": 1, "samples": [',
      headers: { "content-type": "application/json" },
    });
    const text = await res.clone().text();
    await expectError(res, 400, "BAD_REQUEST");
    expect(text).not.toMatch(/SyntaxError|\bat \w|\.ts:\d/);
  });
});

async function expectErrorBody(res: Response) {
  return (await res.json()) as { error: { code: string; message: string; requestId: string } };
}
