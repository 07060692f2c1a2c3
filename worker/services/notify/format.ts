/**
 * Pure renderers of the wire formats (docs/wire-formats.md): PagerDuty Events API v2, Slack
 * incoming-webhook blocks, and our signed generic webhook. No I/O, no clock.
 */

import { NOTIFY, SEVERITIES } from "../../../agent/engine";
import { humanTime } from "../../lib/time";
import type { IssueEvent } from "./outbox";
import { slackCode, slackText } from "./slack-text";

export interface EventIssue {
  id: string;
  hostId: string;
  host: string;
  hostGroup: string | null;
  rule: string;
  ruleName: string;
  target: string;
  severity: "critical" | "high" | "medium" | "low";
  status: string;
  summary: string;
  evidence: Record<string, unknown>;
  actions: string[];
  detectedAt: number;
}

export interface OutgoingEvent {
  deliveryId: string;
  event: IssueEvent;
  at: number;
  issue: EventIssue;
  detail: Record<string, unknown> | null;
  /** Absolute dashboard link to the issue, when the origin is known. */
  link: string | null;
}

const PD_SEVERITY = { critical: "critical", high: "error", medium: "warning", low: "info" } as const;
export const PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue";

export const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

export const EVENT_TEXT: Record<IssueEvent, string> = {
  opened: "opened",
  recovery_started: "recovery started",
  recovery_succeeded: "recovery succeeded",
  recovery_failed: "recovery failed",
  escalated: "escalated",
  awaiting_approval: "approval needed",
  resolved: "resolved",
  deadline_breached: "response deadline missed",
  acknowledged: "acknowledged",
  reminder: "still unresolved",
  test: "test",
};

/**
 * PagerDuty (and Opsgenie) speak trigger, acknowledge and resolve for us; the rest stays in chat,
 * email and webhooks.
 */
export const pagerDutyAction = (event: IssueEvent) =>
  event === "opened" || event === "test"
    ? "trigger"
    : event === "resolved"
      ? "resolve"
      : event === "acknowledged"
        ? "acknowledge"
        : null;

export function pagerDutyBody(routingKey: string, e: OutgoingEvent, client = "selfheal") {
  const action = pagerDutyAction(e.event);
  if (!action) throw new Error(`PagerDuty has no action for ${e.event}`);
  const dedupKey = clip(e.issue.id, 255);
  if (action === "resolve" || action === "acknowledge")
    return { routing_key: routingKey, event_action: action, dedup_key: dedupKey };
  const { issue } = e;
  const payload = {
    summary: clip(`${issue.host}: ${issue.summary}`, 1024),
    source: issue.host,
    severity: PD_SEVERITY[issue.severity],
    timestamp: new Date(issue.detectedAt).toISOString(),
    ...(issue.target ? { component: issue.target } : {}),
    ...(issue.hostGroup ? { group: issue.hostGroup } : {}),
    class: issue.rule,
    custom_details: {
      rule: issue.rule,
      rule_name: issue.ruleName,
      issue_id: issue.id,
      evidence: issue.evidence,
      actions: issue.actions,
    },
  };
  return {
    routing_key: routingKey,
    event_action: action,
    dedup_key: dedupKey,
    client,
    ...(e.link ? { client_url: e.link, links: [{ href: e.link, text: "Issue in selfheal" }] } : {}),
    payload,
  };
}

/** One trigger for a storm: the group's first issue names the incident, the rest are listed. */
export function pagerDutyGroupBody(routingKey: string, events: OutgoingEvent[], client = "selfheal") {
  const lead = pagerDutyBody(routingKey, events[0], client) as ReturnType<typeof pagerDutyBody> & {
    payload: Record<string, unknown>;
  };
  const worst = SEVERITIES.find((s) => events.some((e) => e.issue.severity === s)) ?? "low";
  const hosts = [...new Set(events.map((e) => e.issue.host))];
  const rules = [...new Set(events.map((e) => e.issue.ruleName))];
  const where = hosts.length === 1 ? hosts[0] : `${hosts.length} hosts`;
  const targets = events.map((e) => e.issue.target).filter(Boolean);
  const list = targets.length ? ` (${clip(targets.join(", "), 300)})` : "";
  // One component would be wrong for many targets; they are listed in the summary instead.
  const { component: _one, ...payload } = lead.payload;
  return {
    ...lead,
    payload: {
      ...payload,
      summary: clip(`${where}: ${events.length} × ${rules.join(", ")}${list}`, 1024),
      source: where,
      severity: PD_SEVERITY[worst],
      custom_details: {
        count: events.length,
        rules,
        hosts,
        issues: events.slice(0, 100).map((e) => ({
          id: e.issue.id,
          host: e.issue.host,
          target: e.issue.target,
          summary: e.issue.summary,
        })),
      },
    },
  };
}

const SEVERITY_MARK = { critical: "🔴", high: "🟠", medium: "🟡", low: "⚪" } as const;
/** Slack: at most 50 blocks; keep room for the header and the "more" line. */
const MAX_EVENT_BLOCKS = 45;

type Escape = (s: string) => string;
const asIs: Escape = (s) => s;

/** One event in a line; `esc` makes host text inert where the line is mrkdwn. */
function eventLine(e: OutgoingEvent, esc: Escape): string {
  const { severity, host, summary } = e.issue;
  return `[${severity.toUpperCase()}] ${esc(host)}: ${esc(clip(summary, 500))} (${EVENT_TEXT[e.event]})`;
}

/** Evidence keys that hold a time (epoch ms in storage): people read them as times. */
const isTimeKey = (k: string) => k === "since" || k.endsWith("At");

export function evidenceText(evidence: Record<string, unknown>): string {
  return Object.entries(evidence)
    .map(([k, v]) => {
      if (typeof v === "number" && isTimeKey(k)) return `${k}: ${humanTime(v)}`;
      return `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`;
    })
    .join("\n");
}

/** Clips escaped text without splitting an entity, so the block's closing fence always fits. */
function clipEscaped(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, max - 1).replace(/&[a-z]*$/, "")}…`;
}

/** Host or operator text as a mrkdwn field of at most `max` characters, escapes included. */
const field = (s: string, max: number) => clipEscaped(slackText(clip(s, max)), max);

/** Inline code (our backticks around host text), e.g. a rule id. */
const inlineCode = (s: string, max: number) => `\`${clipEscaped(slackCode(clip(s, max)), max)}\``;

/** Slack refuses a section text over 3000 characters; the evidence gets what the rest leaves. */
const SECTION_MAX = 3000;

/** The action a message names: the event's own, else the rule's first recovery, else notify. */
export const actionOf = ({ issue, detail }: OutgoingEvent) =>
  typeof detail?.action === "string" ? detail.action : (issue.actions.find((a) => a !== NOTIFY) ?? NOTIFY);

function eventSection(e: OutgoingEvent) {
  const { issue, detail } = e;
  const action = actionOf(e);
  const status = detail?.status ? ` → ${field(String(detail.status), 100)}` : "";
  const lines = [
    `${SEVERITY_MARK[issue.severity]} *${EVENT_TEXT[e.event]}*: ${field(issue.summary, 500)}`,
    `*Host:* ${field(issue.host, 300)}   *Rule:* ${field(issue.ruleName, 150)} (${inlineCode(issue.rule, 100)})   *Severity:* ${issue.severity}`,
    `*Action:* ${inlineCode(action, 100)}${status}`,
  ];
  const link = e.link ? `\n<${e.link}|Open the issue in selfheal>` : "";
  const evidence = evidenceText(issue.evidence);
  const room = Math.min(1200, SECTION_MAX - lines.join("\n").length - link.length - 20);
  if (evidence && room > 0)
    lines.push(`*Evidence:*\n\`\`\`${clipEscaped(slackCode(clip(evidence, room)), room)}\`\`\``);
  return { type: "section", text: { type: "mrkdwn", text: lines.join("\n") + link } };
}

export function slackBody(events: OutgoingEvent[]) {
  const first = events[0];
  const many = `${events.length} selfheal events on ${first.issue.host} (${first.issue.ruleName})`;
  // The header is plain_text (never parsed); the fallback text is mrkdwn like the sections.
  const title = events.length === 1 ? eventLine(first, asIs) : many;
  const lines =
    events.length === 1
      ? [eventLine(first, slackText)]
      : [slackText(many), ...events.slice(0, 20).map((e) => `• ${eventLine(e, slackText)}`)];
  const text = clipEscaped(lines.join("\n"), 3000);
  const blocks: unknown[] = [{ type: "header", text: { type: "plain_text", text: clip(title, 150) } }];
  for (const e of events.slice(0, MAX_EVENT_BLOCKS)) blocks.push(eventSection(e));
  if (events.length > MAX_EVENT_BLOCKS) {
    const more = `…and ${events.length - MAX_EVENT_BLOCKS} more`;
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: more }] });
  }
  return { text, blocks };
}

export function webhookBody(channelId: string, groupKey: string, events: OutgoingEvent[], sentAt: number) {
  return {
    type: "selfheal.notifications",
    channel: channelId,
    groupKey,
    sentAt: new Date(sentAt).toISOString(),
    events: events.map((e) => ({
      id: e.deliveryId,
      event: e.event,
      at: new Date(e.at).toISOString(),
      issue: { ...e.issue, detectedAt: new Date(e.issue.detectedAt).toISOString() },
      detail: e.detail,
      link: e.link,
    })),
  };
}

/** Hex HMAC-SHA256 of `${timestamp}.${body}`: the header is `v1=<hex>`. */
export async function signWebhook(secret: string, timestamp: string, body: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, enc.encode(`${timestamp}.${body}`));
  return `v1=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
