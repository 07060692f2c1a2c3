import { afterEach, describe, expect, it } from "vitest";
import { call, expectError, json, newTenant, result, service, sql } from "./support/harness";
import { addChannel, deliveries, recordOutbound, settle } from "./support/notify-harness";

let restore = () => {};
afterEach(() => restore());
const ROUTING_KEY = "e93facc04764012d7bfb002500d5d1a6";

describe("the channels API", () => {
  it("stores secrets but shows only masked forms", async () => {
    const t = await newTenant();
    const pd = await addChannel(t, { kind: "pagerduty", routingKey: ROUTING_KEY });
    expect(pd.secret).toBe("…d1a6");
    const slack = await addChannel(t, {
      kind: "slack",
      url: "https://hooks.slack.com/services/T000/B000/XXXXXXXXSECRET",
    });
    expect(slack.url).toBe("https://hooks.slack.com/…CRET");
    const listed = await json<{ items: unknown[] }>("/api/v1/channels", { token: t.admin });
    expect(JSON.stringify(listed)).not.toContain("XXXXXXXXSECRET");
    expect(JSON.stringify(listed)).not.toContain(ROUTING_KEY);
    const [row] = await sql("SELECT secret FROM channels WHERE id = ?", pd.id);
    expect(row.secret).toBe(ROUTING_KEY);
  });

  it("shows at most 4 characters of a 16-character webhook secret", async () => {
    const t = await newTenant();
    const hook = await addChannel(t, {
      kind: "webhook",
      url: "http://receiver.test/h",
      secret: "abcdefgh12345678",
    });
    expect(hook.secret).toBe("…5678");
    expect(hook.secret?.replace("…", "").length).toBeLessThanOrEqual(4);
  });

  it("refuses non-http URLs, unknown kinds and short webhook secrets", async () => {
    const t = await newTenant();
    for (const body of [
      { kind: "slack", name: "x", url: "ftp://example.com/x" },
      { kind: "slack", name: "x", url: "javascript:alert(1)" },
      { kind: "email", name: "x", url: "https://example.com" },
      { kind: "webhook", name: "x", url: "https://example.com", secret: "short" },
    ]) {
      await expectError(await call("/api/v1/channels", { token: t.admin, body }), 400, "BAD_REQUEST");
    }
  });

  it("lets read tokens list but not change channels", async () => {
    const t = await newTenant();
    const reader = await t.token("read");
    const ch = await addChannel(t, { kind: "slack", url: "https://hooks.slack.com/services/a" });
    await json(`/api/v1/channels/${ch.id}`, { token: reader });
    await json("/api/v1/deliveries", { token: reader });
    const body = { kind: "slack", name: "x", url: "https://hooks.slack.com/services/b" };
    await expectError(await call("/api/v1/channels", { token: reader, body }), 403, "FORBIDDEN");
    await expectError(
      await call(`/api/v1/channels/${ch.id}`, { method: "DELETE", token: reader }),
      403,
      "FORBIDDEN",
    );
  });

  it("updates, deletes and keeps other orgs' channels out of reach", async () => {
    const t = await newTenant();
    const other = await newTenant();
    const ch = await addChannel(t, { kind: "webhook", url: "https://example.com/h", secret: "x".repeat(20) });
    const patched = await json<{ minSeverity: string; enabled: boolean }>(`/api/v1/channels/${ch.id}`, {
      method: "PATCH",
      token: t.admin,
      body: { minSeverity: "critical", enabled: false },
    });
    expect(patched).toMatchObject({ minSeverity: "critical", enabled: false });
    await expectError(await call(`/api/v1/channels/${ch.id}`, { token: other.admin }), 404, "NOT_FOUND");
    await json(`/api/v1/channels/${ch.id}`, { method: "DELETE", token: t.admin });
    await expectError(await call(`/api/v1/channels/${ch.id}`, { token: t.admin }), 404, "NOT_FOUND");
  });

  it("sends a test message on demand and logs it", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    const ch = await addChannel(t, {
      kind: "pagerduty",
      routingKey: ROUTING_KEY,
      url: "http://receiver.test/v2/enqueue",
    });
    const sent = await json<{ status: string; event: string }>(`/api/v1/channels/${ch.id}/test`, {
      method: "POST",
      token: t.admin,
    });
    expect(sent).toMatchObject({ status: "delivered", event: "test" });
    expect(out.sent[0].json).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: "trigger",
      payload: { severity: "info" },
    });
    expect(await deliveries(t, `?channel=${ch.id}`)).toHaveLength(1);
  });
});

describe("recovery and approval events", () => {
  it("announces recovery started and succeeded, then resolved, in order", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    await addChannel(t, { kind: "webhook", url: "http://receiver.test/hook", secret: "s".repeat(20) });
    const agent = await t.enroll();
    const { commands } = await agent.report({ services: [service("nginx", "down")] });
    await agent.report({
      services: [service("nginx", "up")],
      results: [result(commands[0].id, "succeeded")],
    });
    const order = ["opened", "recovery_started", "recovery_succeeded", "resolved"];
    await settle(async () => (await deliveries(t, "?status=delivered")).length === 4);
    const events = out.sent.flatMap((s) => s.json.events.map((e: { event: string }) => e.event));
    expect(events).toEqual(order);
    const started = out.sent
      .flatMap((s) => s.json.events)
      .find((e: { event: string }) => e.event === "recovery_started");
    expect(started.detail).toMatchObject({ action: "restart_service", trigger: "auto" });
  });

  it("announces a failed recovery and an issue awaiting approval", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    await addChannel(t, { kind: "slack", url: "http://receiver.test/slack" });
    const agent = await t.enroll();
    const { commands } = await agent.report({ services: [service("nginx", "down")] });
    await t.config({ recovery: { require_confirmation: true } });
    await agent.report({ services: [service("nginx", "down")], results: [result(commands[0].id, "failed")] });
    await settle(async () =>
      (await deliveries(t, "?status=delivered")).some((d) => d.event === "awaiting_approval"),
    );
    const text = out.sent.map((s) => s.json.text).join("\n");
    expect(text).toContain("recovery failed");
    expect(text).toContain("approval needed");
  });
});
