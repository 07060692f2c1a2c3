import { describe, expect, it } from "vitest";
import { channelWants, groupKeyOf } from "../../worker/services/notify/fanout";
import {
  type OutgoingEvent,
  pagerDutyBody,
  pagerDutyGroupBody,
  signWebhook,
  slackBody,
  webhookBody,
} from "../../worker/services/notify/format";
import { eventKey } from "../../worker/services/notify/outbox";
import { classify, parseRetryAfter, retryDelayMs } from "../../worker/services/notify/send";
import doc from "../contracts/pagerduty-events-v2.openapi.json";
import { enqueueSchema, pagerDutyLimits, slackProblems, validate } from "../support/openapi-validate";
import { event } from "./support/notify-event";

const schemaErrors = (body: unknown) => [
  ...validate(doc, enqueueSchema(doc), body),
  ...pagerDutyLimits(body),
];

describe("PagerDuty bodies", () => {
  it("triggers with our dedup key and a payload valid against the official schema", () => {
    const body = pagerDutyBody("k".repeat(32), event());
    expect(schemaErrors(body)).toEqual([]);
    expect(body).toMatchObject({
      event_action: "trigger",
      dedup_key: "iss_1",
      payload: { source: "web-1", severity: "critical", summary: "web-1: disk / at 97%", group: "prod" },
    });
  });

  it("resolves with the same dedup key and nothing else", () => {
    expect(pagerDutyBody("k".repeat(32), event({ event: "resolved" }))).toEqual({
      routing_key: "k".repeat(32),
      event_action: "resolve",
      dedup_key: "iss_1",
    });
  });

  it("maps our severities to PagerDuty's and clips a long summary to 1024 characters", () => {
    const sev = (s: "critical" | "high" | "medium" | "low") =>
      (pagerDutyBody("k", event({}, { severity: s })) as { payload: { severity: string } }).payload.severity;
    expect(["critical", "high", "medium", "low"].map((s) => sev(s as "low"))).toEqual([
      "critical",
      "error",
      "warning",
      "info",
    ]);
    const long = pagerDutyBody("k", event({}, { summary: "x".repeat(5000) }));
    expect(schemaErrors(long)).toEqual([]);
  });

  it("turns a storm into one trigger named after its first issue, still valid against the schema", () => {
    const many = Array.from({ length: 120 }, (_, i) =>
      event(
        { deliveryId: `d${i}` },
        { id: `iss_${i}`, target: `svc-${i}`, severity: i === 7 ? "critical" : "high" },
      ),
    );
    const body = pagerDutyGroupBody("k".repeat(32), many);
    expect(schemaErrors(body)).toEqual([]);
    expect(body).toMatchObject({ dedup_key: "iss_0", payload: { severity: "critical", source: "web-1" } });
    expect(body.payload.summary).toMatch(/^web-1: 120 × Disk almost full \(svc-0, svc-1/);
  });

  it("the validator itself rejects a wrong body", () => {
    expect(
      schemaErrors({ routing_key: "k", event_action: "fire", payload: { summary: "s" } }).length,
    ).toBeGreaterThan(2);
  });
});

describe("Slack bodies", () => {
  it("carry a text fallback and readable blocks with host, rule, severity, evidence, action and link", () => {
    const body = slackBody([event()]);
    expect(slackProblems(body)).toEqual([]);
    const section = JSON.stringify(body.blocks[1]);
    for (const part of [
      "web-1",
      "Disk almost full",
      "critical",
      "threshold",
      "clean_disk",
      "https://selfheal.example/issues/iss_1",
    ])
      expect(section).toContain(part);
    expect(body.text).toContain("[CRITICAL] web-1");
  });

  it("stay within 50 blocks for a storm of 200 events", () => {
    const many = Array.from({ length: 200 }, (_, i) => event({ deliveryId: `d${i}` }, { id: `iss_${i}` }));
    const body = slackBody(many);
    expect(slackProblems(body)).toEqual([]);
    expect(JSON.stringify(body.blocks.at(-1))).toContain("155 more");
  });
});

describe("signed webhooks", () => {
  it("sign timestamp.body with HMAC-SHA256 (checked against Python's hmac)", async () => {
    expect(await signWebhook("Jefe", "1700000000", '{"a":1}')).toBe(
      "v1=fa5f6481efc59da48b19c9dc10196c9953e5651f8304b3a318b6b87d70272e0a",
    );
  });

  it("list every event with its issue", () => {
    const body = webhookBody("chn_1", "host=h|rule=r", [event(), event({ event: "resolved" })], 0);
    expect(body.events.map((e) => e.event)).toEqual(["opened", "resolved"]);
    expect(body.events[0].issue.detectedAt).toBe("2026-01-01T00:00:00.000Z");
  });
});

describe("delivery outcomes and backoff", () => {
  it("retries 5xx, 408 and 429 but not another 4xx", () => {
    expect([500, 503, 408, 429].map((s) => classify(s, "", null, 0).kind)).toEqual([
      "retry",
      "retry",
      "retry",
      "retry",
    ]);
    expect([400, 403, 404].map((s) => classify(s, "", null, 0).kind)).toEqual(["final", "final", "final"]);
    expect(classify(202, "", null, 0).kind).toBe("delivered");
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfter("120", 0)).toBe(120_000);
    expect(parseRetryAfter(new Date(90_000).toUTCString(), 0)).toBe(90_000);
    expect(parseRetryAfter("soon", 0)).toBeNull();
  });

  it("doubles the delay per attempt, caps it at an hour and lets a longer Retry-After win", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1000, null))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(30, 1000, null)).toBe(3_600_000);
    expect(retryDelayMs(1, 1000, 60_000)).toBe(60_000);
    expect(retryDelayMs(1, 1000, 0, 0)).toBe(800);
  });
});

describe("routing and grouping", () => {
  const ch = { kind: "slack" as const, minSeverity: "high" as const, hosts: null, groups: null, rules: null };
  const routed = {
    severity: "high" as const,
    hostId: "h1",
    hostName: "web-1",
    hostGroup: "prod",
    ruleId: "disk_full",
    event: "opened" as const,
  };

  it("sends critical and high to a high channel, not medium", () => {
    expect(channelWants(ch, routed)).toBe(true);
    expect(channelWants(ch, { ...routed, severity: "critical" })).toBe(true);
    expect(channelWants(ch, { ...routed, severity: "medium" })).toBe(false);
  });

  it("applies host (id or name), group and rule filters", () => {
    expect(channelWants({ ...ch, hosts: ["web-1"] }, routed)).toBe(true);
    expect(channelWants({ ...ch, hosts: ["h2"] }, routed)).toBe(false);
    expect(channelWants({ ...ch, groups: ["staging"] }, routed)).toBe(false);
    expect(channelWants({ ...ch, rules: ["disk_full"] }, routed)).toBe(true);
  });

  it("gives PagerDuty only what it can say: trigger and resolve", () => {
    const pd = { ...ch, kind: "pagerduty" as const };
    expect(channelWants(pd, { ...routed, event: "recovery_started" })).toBe(false);
    expect(channelWants(pd, { ...routed, event: "resolved" })).toBe(true);
  });

  it("keys groups by host and rule, Alertmanager's group_by", () => {
    expect(groupKeyOf(["host", "rule"], { hostId: "h1", ruleId: "r" })).toBe("host=h1|rule=r");
    expect(groupKeyOf(["rule"], { hostId: "h1", ruleId: "r" })).toBe("rule=r");
    expect(groupKeyOf([], { hostId: "h1", ruleId: "r" })).toBe("all");
  });

  it("makes opened and resolved unique per issue and recovery events unique per command", () => {
    expect(eventKey({ event: "opened", now: 1 })).toBe(eventKey({ event: "opened", now: 2 }));
    expect(eventKey({ event: "recovery_started", commandId: "cmd_1", now: 1 })).toBe(
      "recovery_started:cmd_1",
    );
  });
});

describe("the action a Slack message names", () => {
  const sectionText = (e: OutgoingEvent) => JSON.stringify((slackBody([e]) as { blocks: unknown[] }).blocks);

  it("says notify for a rule with no recovery action, as the Rules page and the README do", () => {
    expect(sectionText(event({}, { actions: [] }))).toContain("*Action:* `notify`");
    expect(sectionText(event({}, { actions: ["notify", "restart_service"] }))).toContain(
      "*Action:* `restart_service`",
    );
  });
});
