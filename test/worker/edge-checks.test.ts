import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { z } from "zod";
import worker from "../../worker/index";
import type { EdgeCheckSchema } from "../../worker/schemas/edge-checks";
import { call, expectError, json, newTenant, sample } from "./support/harness";
import { addChannel, deliveries, recordOutbound } from "./support/notify-harness";

const cron = () => worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);
let restore = () => {};
afterEach(() => restore());

type Check = z.infer<typeof EdgeCheckSchema>;

describe("edge checks", () => {
  it("record status and latency, open an issue when the endpoint fails and resolve it when it recovers", async () => {
    let status = 503;
    const out = recordOutbound(async (req) => {
      if (req.url.endsWith("/site")) {
        await new Promise((r) => setTimeout(r, 20));
        return new Response("x", { status });
      }
      return new Response("ok");
    });
    restore = out.restore;
    const t = await newTenant();
    await addChannel(t, { kind: "slack", url: "http://receiver.test/slack" });
    const check = await json<Check>(
      "/api/v1/edge-checks",
      { token: t.admin, body: { url: "http://receiver.test/site", severity: "critical" } },
      201,
    );
    await cron();
    const [after] = (await json<{ items: Check[] }>("/api/v1/edge-checks", { token: t.admin })).items;
    expect(after).toMatchObject({
      id: check.id,
      lastOk: false,
      lastStatus: 503,
      lastError: "expected HTTP 200, got 503",
    });
    expect(after.lastLatencyMs).toBeGreaterThanOrEqual(15);
    const [issue] = await t.issues("?status=active");
    expect(issue).toMatchObject({
      host: "(edge)",
      rule: "edge_check",
      severity: "critical",
      target: "http://receiver.test/site",
    });
    expect(out.sent.some((s) => s.url.endsWith("/slack") && s.json.text.includes("receiver.test/site"))).toBe(
      true,
    );

    await cron(); // still failing: no second issue
    expect(await t.issues("?status=active")).toHaveLength(1);
    status = 200;
    await cron();
    expect(await t.issues("?status=active")).toHaveLength(0);
    const events = (await deliveries(t)).map((d) => d.event).sort();
    expect(events).toEqual(["opened", "resolved"]);
  });

  it("treat a timeout as a failure", async () => {
    // An endpoint that never answers: only the caller's timeout ends the request.
    const out = recordOutbound((req, _n, signal) =>
      req.url.endsWith("/slow")
        ? new Promise<Response>((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)))
        : new Response("ok"),
    );
    restore = out.restore;
    const t = await newTenant();
    await json(
      "/api/v1/edge-checks",
      { token: t.admin, body: { url: "http://receiver.test/slow", timeoutMs: 100 } },
      201,
    );
    await cron();
    const [after] = (await json<{ items: Check[] }>("/api/v1/edge-checks", { token: t.admin })).items;
    expect(after).toMatchObject({ lastOk: false, lastStatus: null, lastError: "no answer within 100 ms" });
  });

  it("validate input, need admin to change and can be deleted", async () => {
    const t = await newTenant();
    const reader = await t.token("read");
    await expectError(
      await call("/api/v1/edge-checks", { token: t.admin, body: { url: "file:///etc/passwd" } }),
      400,
      "BAD_REQUEST",
    );
    await expectError(
      await call("/api/v1/edge-checks", { token: reader, body: { url: "https://example.com" } }),
      403,
      "FORBIDDEN",
    );
    const check = await json<Check>(
      "/api/v1/edge-checks",
      { token: t.admin, body: { url: "https://example.com" } },
      201,
    );
    await json(`/api/v1/edge-checks/${check.id}`, { method: "DELETE", token: t.admin });
    expect((await json<{ items: Check[] }>("/api/v1/edge-checks", { token: reader })).items).toEqual([]);
  });
});

describe("certificate expiry reported by the agent", () => {
  it("opens a medium warning issue when a certificate has under 14 days left", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ samples: [sample({ "tls:shop.days": 9.5 })] });
    const [issue] = await t.issues("?status=active");
    expect(issue).toMatchObject({ rule: "tls_expiry", target: "tls:shop.days", severity: "medium" });
  });
});
