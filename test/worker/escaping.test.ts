/**
 * Hostile text from a host, sent through every channel to local receivers: Slack gets it inert
 * (no mention, no disguised link, no styling, no escape from the evidence block), every channel
 * gets it without control characters.
 */
import { afterEach, describe, expect, it } from "vitest";
import { newTenant, service } from "./support/harness";
import { addChannel, deliveries, recordOutbound, type Sent, settle } from "./support/notify-harness";

let restore = () => {};
afterEach(() => restore());

const ZW = "\u200b";
const HOSTILE_DETAIL = "<!channel> <https://evil.example/login|Click to re-auth> *now* & _quickly_";

async function downWith(extra: Record<string, unknown>, channel: Record<string, unknown>) {
  const out = recordOutbound();
  restore = out.restore;
  const t = await newTenant();
  await addChannel(t, channel);
  const agent = await t.enroll("web-1");
  await agent.report({ services: [service("nginx", "down", extra)] });
  await settle(async () => (await deliveries(t, "?status=delivered")).some((d) => d.event === "opened"));
  return out.sent as Sent[];
}

describe("hostile host text in Slack messages", () => {
  it("reaches Slack with no live @channel, no disguised link and no styling of its own", async () => {
    const [sent] = await downWith(
      { detail: HOSTILE_DETAIL },
      { kind: "slack", url: "http://receiver.test/slack" },
    );
    const inert =
      `&lt;!channel&gt; &lt;https://evil.example/login|Click to re-auth&gt; ` +
      `${ZW}*${ZW}now${ZW}*${ZW} &amp; ${ZW}_${ZW}quickly${ZW}_${ZW}`;
    expect(sent.body).not.toContain("<!channel>");
    expect(sent.body).not.toContain("<https://evil.example");
    const section: string = sent.json.blocks[1].text.text;
    expect(section.split("\n")[0]).toBe(`🟠 *opened*: Service down: nginx (${inert})`);
    // The opened and recovery_started events travel together; the fallback text lists both.
    expect(sent.json.text.split("\n")[1]).toBe(`• [HIGH] web-1: Service down: nginx (${inert}) (opened)`);
  });

  it("keeps a log line holding ``` inside the evidence block", async () => {
    const [sent] = await downWith(
      { logTail: ["starting", "```", "*<!here> pwned*"] },
      { kind: "slack", url: "http://receiver.test/slack" },
    );
    const section: string = sent.json.blocks[1].text.text;
    const block = section.slice(section.indexOf("*Evidence:*\n```") + 15);
    // One fence closes the block, at its end; the log's backticks never meet each other.
    expect(block.indexOf("```")).toBe(block.lastIndexOf("```"));
    expect(block).toContain(`${ZW}\`${ZW}${ZW}\`${ZW}${ZW}\`${ZW}`);
    expect(block).toContain("*&lt;!here&gt; pwned*");
    expect(sent.body).not.toContain("<!here>");
  });
});

describe("control characters from hosts", () => {
  const DETAIL = "exit\u0000 1\u001b[31m red\u0007\u202e evil\r\nnext\tline";
  const STORED = "exit 1[31m red evil next line";

  it("are stripped before a webhook receiver sees the service detail", async () => {
    const [sent] = await downWith(
      { detail: DETAIL },
      { kind: "webhook", url: "http://receiver.test/hook", secret: "s".repeat(32) },
    );
    expect(sent.json.events[0].issue.summary).toBe(`Service down: nginx (${STORED})`);
    expect(sent.body).not.toMatch(/\\u00(0|1|7|9)|\\u202e/i);
  });

  it("are stripped before PagerDuty sees the summary", async () => {
    const [sent] = await downWith(
      { detail: DETAIL },
      { kind: "pagerduty", url: "http://receiver.test/pd", routingKey: "r".repeat(32) },
    );
    expect(sent.json.payload.summary).toBe(`web-1: Service down: nginx (${STORED})`);
  });

  it("are stripped from host facts at enrolment", async () => {
    const t = await newTenant();
    const agent = await t.enroll("web-2", {
      hostname: "web-2\u0000\u001b]0;owned\u0007",
      os: "Debian\r\n12",
    });
    const host = await t.host(agent.hostId);
    expect([host.hostname, host.os]).toEqual(["web-2]0;owned", "Debian 12"]);
  });

  it("are stripped from text an operator sends, such as a channel's name", async () => {
    const t = await newTenant();
    const ch = await addChannel(t, {
      kind: "slack",
      url: "http://receiver.test/s",
      name: "ops\u0000\u202e room",
    });
    expect((ch as unknown as { name: string }).name).toBe("ops room");
  });
});
