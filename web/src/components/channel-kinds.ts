/** The form fields of each channel kind, as the channels API names them. */
import type { ChannelRequest } from "../api";
import type { ChannelKind } from "../types";

export interface KindField {
  key: string;
  label: string;
  type: "text" | "url" | "password" | "list";
  hint?: string;
}

export interface KindSpec {
  kind: ChannelKind;
  label: string;
  fields: KindField[];
  /** Pagers keep their own re-notification; the rest may remind of an unresolved issue. */
  reminds: boolean;
}

const apiBase = (service: string): KindField => ({
  key: "url",
  label: "API base override (optional)",
  type: "url",
  hint: `Default: ${service}`,
});

export const KINDS: KindSpec[] = [
  {
    kind: "slack",
    label: "Slack incoming webhook",
    fields: [{ key: "url", label: "Webhook URL", type: "url" }],
    reminds: true,
  },
  {
    kind: "teams",
    label: "Microsoft Teams (Workflows)",
    fields: [
      {
        key: "url",
        label: "Workflows webhook URL",
        type: "url",
        hint: "From “Post to a channel when a webhook request is received”",
      },
    ],
    reminds: true,
  },
  {
    kind: "discord",
    label: "Discord webhook",
    fields: [{ key: "url", label: "Webhook URL", type: "url" }],
    reminds: true,
  },
  {
    kind: "telegram",
    label: "Telegram bot",
    fields: [
      { key: "botToken", label: "Bot token", type: "password", hint: "From @BotFather: 123456:ABC…" },
      { key: "chatId", label: "Chat id", type: "text", hint: "A numeric id, or @channelname" },
      apiBase("https://api.telegram.org"),
    ],
    reminds: true,
  },
  {
    kind: "email",
    label: "Email (Resend)",
    fields: [
      { key: "apiKey", label: "Resend API key", type: "password" },
      { key: "from", label: "From", type: "text", hint: "alerts@example.com, or Name <alerts@example.com>" },
      { key: "to", label: "To", type: "list", hint: "Addresses, separated by commas" },
      apiBase("https://api.resend.com"),
    ],
    reminds: true,
  },
  {
    kind: "pagerduty",
    label: "PagerDuty Events v2",
    fields: [
      { key: "routingKey", label: "Routing key", type: "password" },
      { key: "url", label: "Endpoint override (optional)", type: "url" },
    ],
    reminds: false,
  },
  {
    kind: "opsgenie",
    label: "Opsgenie",
    fields: [
      { key: "apiKey", label: "API integration key", type: "password" },
      apiBase("https://api.opsgenie.com (EU: https://api.eu.opsgenie.com)"),
    ],
    reminds: false,
  },
  {
    kind: "webhook",
    label: "Signed webhook",
    fields: [
      { key: "url", label: "URL", type: "url" },
      {
        key: "secret",
        label: "Signing secret (16+ characters)",
        type: "password",
        hint: "A whsec_ secret works with any Standard Webhooks verifier",
      },
    ],
    reminds: true,
  },
];

/** The request body for a new channel: empty optional fields left out, lists split. */
export function channelBody(
  spec: KindSpec,
  name: string,
  minSeverity: string,
  values: Record<string, string>,
  repeat: string,
) {
  const body: Record<string, unknown> = { kind: spec.kind, name: name.trim(), minSeverity };
  for (const f of spec.fields) {
    const v = (values[f.key] ?? "").trim();
    if (f.type === "list") body[f.key] = v ? v.split(/[,\s]+/).filter(Boolean) : [];
    else if (v || !f.label.includes("optional"))
      body[f.key] = f.type === "password" ? (values[f.key] ?? "") : v;
  }
  if (spec.reminds && repeat.trim()) body.repeatMinutes = Number(repeat);
  // Built field by field from the kind's form; the API checks it against the kind's schema.
  return body as ChannelRequest;
}
