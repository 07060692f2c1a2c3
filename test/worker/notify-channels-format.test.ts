import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { discordBody } from "../../worker/services/notify/channels/discord";
import { emailBody } from "../../worker/services/notify/channels/email";
import { opsgenieCall } from "../../worker/services/notify/channels/opsgenie";
import { teamsBody } from "../../worker/services/notify/channels/teams";
import { telegramBody, telegramUrl } from "../../worker/services/notify/channels/telegram";
import { signWebhook } from "../../worker/services/notify/format";
import { standardSignature, webhookHeaders } from "../../worker/services/notify/standard-webhooks";
import {
  discordProblems,
  opsgenieProblems,
  resendProblems,
  teamsProblems,
  telegramProblems,
} from "../support/channel-wire";
import { must } from "./support/harness";
import { EVENT_LINK, event } from "./support/notify-event";

const storm = (n: number, summary = "service down") =>
  Array.from({ length: n }, (_, i) =>
    event({ deliveryId: `dlv_${i}` }, { id: `iss_${i}`, summary: `${summary} ${i}` }),
  );
const hostile = "[click](https://evil.example) <b>*bold*</b> @everyone & <script>";
const BEARER = { authorization: "Bearer re_123456789" };

describe("email through Resend", () => {
  it("is a valid Resend request with plain text, HTML and a link to the issue", () => {
    const body = emailBody("selfheal <alerts@example.com>", ["ops@example.com"], [event()]);
    expect(resendProblems("/emails", BEARER, body)).toEqual([]);
    expect(body.subject).toBe("[selfheal] [CRITICAL] web-1: disk / at 97% (opened)");
    expect(body.text).toContain(`Open the issue in selfheal: ${EVENT_LINK}`);
    expect(body.text).toContain("Rule: Disk almost full (disk_full)");
    expect(body.html).toContain(`<a href="${EVENT_LINK}">Open the issue in selfheal</a>`);
  });

  it("escapes host text in the HTML and keeps the subject on one line", () => {
    const body = emailBody(
      "alerts@example.com",
      ["ops@example.com"],
      [event({}, { summary: `${hostile}\nBcc: x` })],
    );
    expect(resendProblems("/emails", BEARER, body)).toEqual([]);
    expect(body.html).not.toContain("<script>");
    expect(body.html).toContain("&lt;script&gt;");
    expect(body.subject).not.toMatch(/[\r\n]/);
  });

  it("lists the first 50 events of a storm and counts the rest", () => {
    const body = emailBody("alerts@example.com", ["ops@example.com"], storm(120));
    expect(body.text).toContain("…and 70 more");
    expect(body.html.match(/<h3>/g)).toHaveLength(50);
  });
});

describe("Microsoft Teams Adaptive Cards", () => {
  it("send one Adaptive Card naming host, rule and severity, with a button to the issue", () => {
    const body = teamsBody([event()]);
    expect(teamsProblems(body)).toEqual([]);
    const card = body.attachments[0].content;
    expect(JSON.stringify(card.body)).toContain('{"title":"Severity","value":"critical"}');
    expect(card.actions).toEqual([
      { type: "Action.OpenUrl", title: "Open the issue in selfheal", url: EVENT_LINK },
    ]);
  });

  it("keep host markdown literal, so a disguised link never renders", () => {
    const text = JSON.stringify(teamsBody([event({}, { summary: hostile })]));
    expect(text).not.toContain("[click](");
    expect(text).not.toContain("*bold*");
  });

  it("list 20 events of a storm of 200 and stay under 28 KB", () => {
    const body = teamsBody(storm(200, "x".repeat(400)));
    expect(teamsProblems(body)).toEqual([]);
    expect(JSON.stringify(body)).toContain("…and 180 more");
  });
});

describe("Discord webhooks", () => {
  it("send an embed per event with mentions off and a link to the issue", () => {
    const body = discordBody([event()]);
    expect(discordProblems(body)).toEqual([]);
    expect(body.embeds[0]).toMatchObject({ url: EVENT_LINK, color: 0xd32f2f, title: "opened: web-1" });
    expect(body.allowed_mentions).toEqual({ parse: [] });
  });

  it("escape host markdown and stay within ten embeds and 6000 characters for a storm", () => {
    const one = discordBody([event({}, { summary: hostile })]);
    expect(one.embeds[0].description).toContain("\\[click\\]\\(https");
    const body = discordBody(storm(50, "y".repeat(3000)));
    expect(discordProblems(body)).toEqual([]);
    expect(body.embeds).toHaveLength(10);
    expect(body.content).toContain("…and 40 more");
  });
});

describe("Telegram sendMessage", () => {
  it("posts HTML to /bot<token>/sendMessage with the host text escaped", () => {
    const url = telegramUrl("http://127.0.0.1:9/", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    expect(url).toBe("http://127.0.0.1:9/bot123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ/sendMessage");
    const body = telegramBody("-100123", [event({}, { summary: hostile })]);
    expect(telegramProblems(new URL(url).pathname, body)).toEqual([]);
    expect(body.text).toContain("&lt;b&gt;*bold*&lt;/b&gt;");
    expect(body.text).toContain(`<a href="${EVENT_LINK}">Open the issue in selfheal</a>`);
  });

  it("keeps a storm of 200 long events within 4096 characters with every tag closed", () => {
    const body = telegramBody("@selfheal_ops", storm(200, "<&>".repeat(300)));
    expect(telegramProblems("/bot1:abc/sendMessage", body)).toEqual([]);
  });
});

describe("Opsgenie alerts", () => {
  it("create an alert under the issue id as alias, with priority from severity", () => {
    const call = must(opsgenieCall(event({}, { summary: "z".repeat(500) })));
    expect(call.path).toBe("/v2/alerts");
    expect(opsgenieProblems(call.path, { authorization: "GenieKey k" }, call.body)).toEqual([]);
    expect(call.body).toMatchObject({ alias: "iss_1", priority: "P1", entity: "web-1", source: "selfheal" });
    expect((call.body.message as string).length).toBe(130);
    expect((call.body.details as Record<string, string>).link).toBe(EVENT_LINK);
  });

  it("close on resolve and acknowledge on acknowledged, by alias; say nothing of the rest", () => {
    const close = opsgenieCall(event({ event: "resolved" }));
    expect(close?.path).toBe("/v2/alerts/iss_1/close?identifierType=alias");
    expect(opsgenieProblems(close?.path ?? "", { authorization: "GenieKey k" }, close?.body)).toEqual([]);
    expect(opsgenieCall(event({ event: "acknowledged" }))?.path).toBe(
      "/v2/alerts/iss_1/acknowledge?identifierType=alias",
    );
    expect(opsgenieCall(event({ event: "recovery_started" }))).toBeNull();
    expect(opsgenieCall(event({ event: "reminder" }))).toBeNull();
  });
});

describe("Standard Webhooks signatures", () => {
  it("match the spec's test vector", async () => {
    const sig = await standardSignature(
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "1614265330",
      '{"test": 2432232314}',
    );
    expect(sig).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("verify with the standardwebhooks library, for a whsec_ secret and (raw) for any other", async () => {
    const body = '{"type":"selfheal.notifications"}';
    const now = Date.now();
    const whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const headers = await webhookHeaders(whsec, "dlv_1", now, body, signWebhook);
    expect(new Webhook(whsec).verify(body, headers)).toEqual({ type: "selfheal.notifications" });
    expect(() => new Webhook(whsec).verify(`${body} `, headers)).toThrow();
    const raw = "an-old-style-secret-of-any-text";
    const old = await webhookHeaders(raw, "dlv_2", now, body, signWebhook);
    expect(new Webhook(raw, { format: "raw" }).verify(body, old)).toEqual({ type: "selfheal.notifications" });
  });

  it("keep the earlier x-selfheal headers alongside for one release", async () => {
    const headers = await webhookHeaders("s".repeat(20), "dlv_1", 1_700_000_000_000, "{}", signWebhook);
    expect(headers).toMatchObject({
      "webhook-id": "dlv_1",
      "webhook-timestamp": "1700000000",
      "x-selfheal-timestamp": "1700000000",
      "x-selfheal-delivery": "dlv_1",
      "x-selfheal-signature": await signWebhook("s".repeat(20), "1700000000", "{}"),
    });
  });
});
