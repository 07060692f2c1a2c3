import { z } from "@hono/zod-openapi";
import { channelKinds, deliveryStatuses } from "../db/schema";
import { line } from "../lib/wire";
import { isoTime, severitySchema } from "./common";

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http or https URL" }).max(2048);
/**
 * A signing secret. One in Standard Webhooks' form (`whsec_` + base64 of 24 to 64 random bytes) is
 * used as those bytes, so off-the-shelf verifiers take it as is; any other is used as its text.
 */
const webhookSecret = z
  .string()
  .min(16)
  .max(256)
  .refine(
    (s) =>
      !s.startsWith("whsec_") ||
      /^whsec_(?:[A-Za-z0-9+/]{4}){8,22}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s),
    {
      error: "a whsec_ secret must be whsec_ followed by base64 of 24 to 64 bytes",
    },
  );
const names = z.array(z.string().min(1).max(200)).max(100);

const common = {
  name: line(100).min(1),
  minSeverity: severitySchema.default("high"),
  hosts: names.optional().openapi({ description: "host ids or names; empty or absent: every host" }),
  groups: names.optional(),
  rules: names.optional().openapi({ description: "rule ids" }),
  groupBy: z
    .array(z.enum(["host", "rule"]))
    .max(2)
    .default(["host", "rule"]),
  groupWaitSeconds: z.number().int().min(0).max(600).default(10),
  enabled: z.boolean().default(true),
};

/** Alertmanager's repeat_interval: minutes between reminders of an unresolved issue; null: none. */
const repeatMinutes = z
  .number()
  .int()
  .min(5)
  .max(7 * 24 * 60)
  .nullable()
  .openapi({ description: "remind every N minutes while an issue stays unresolved and unacknowledged" });
/** Chat, email and webhook channels may remind; PagerDuty and Opsgenie re-notify by their own policies. */
const reminding = { ...common, repeatMinutes: repeatMinutes.optional() };

const apiKey = z.string().min(8).max(256);
const emailFrom = z
  .string()
  .max(200)
  .regex(/^(?:[^<>\r\n"]{1,100} <[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/, {
    error: 'must be an address, or "Name <address>"',
  });
const emailTo = z.array(z.email()).min(1).max(50);
/** Telegram's bot token is `<bot id>:<secret>`; a chat is a numeric id or a public @channel. */
const botToken = z
  .string()
  .regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, { error: "must look like 123456:ABC-…" });
const chatId = z.string().regex(/^(?:-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/, {
  error: "must be a numeric chat id or @channelname",
});
const apiBase = (service: string) =>
  httpUrl.optional().openapi({ description: `API base override (default: ${service})` });

export const NewChannelSchema = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("slack"), url: httpUrl, ...reminding }).strict(),
    z
      .object({
        kind: z.literal("pagerduty"),
        routingKey: z.string().min(1).max(64),
        url: httpUrl.optional().openapi({ description: "endpoint override (default: PagerDuty's)" }),
        ...common,
      })
      .strict(),
    z.object({ kind: z.literal("webhook"), url: httpUrl, secret: webhookSecret, ...reminding }).strict(),
    z
      .object({
        kind: z.literal("email"),
        apiKey: apiKey.openapi({ description: "Resend API key" }),
        from: emailFrom,
        to: emailTo,
        url: apiBase("https://api.resend.com"),
        ...reminding,
      })
      .strict(),
    z
      .object({
        kind: z.literal("teams"),
        url: httpUrl.openapi({ description: "Workflows webhook URL" }),
        ...reminding,
      })
      .strict(),
    z.object({ kind: z.literal("discord"), url: httpUrl, ...reminding }).strict(),
    z
      .object({
        kind: z.literal("telegram"),
        botToken,
        chatId,
        url: apiBase("https://api.telegram.org"),
        ...reminding,
      })
      .strict(),
    z
      .object({
        kind: z.literal("opsgenie"),
        apiKey: apiKey.openapi({ description: "Opsgenie API integration key" }),
        url: apiBase("https://api.opsgenie.com; EU: https://api.eu.opsgenie.com"),
        ...common,
      })
      .strict(),
  ])
  .openapi("NewChannel");

const { name, minSeverity, hosts, groups, rules, groupBy, groupWaitSeconds, enabled } = common;
export const ChannelPatchSchema = z
  .object({
    name: name.optional(),
    url: httpUrl.optional(),
    routingKey: z.string().min(1).max(64).optional(),
    secret: webhookSecret.optional(),
    apiKey: apiKey.optional(),
    botToken: botToken.optional(),
    chatId: chatId.optional(),
    from: emailFrom.optional(),
    to: emailTo.optional(),
    repeatMinutes: repeatMinutes.optional(),
    minSeverity: minSeverity.removeDefault().optional(),
    hosts,
    groups,
    rules,
    groupBy: groupBy.removeDefault().optional(),
    groupWaitSeconds: groupWaitSeconds.removeDefault().optional(),
    enabled: enabled.removeDefault().optional(),
  })
  .strict()
  .openapi("ChannelPatch");

export const ChannelSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(channelKinds),
    url: z.string().nullable().openapi({ description: "masked" }),
    secret: z
      .string()
      .nullable()
      .openapi({ description: "masked routing key, API key, bot token or signing secret" }),
    from: z.string().nullable().openapi({ description: "email: the sender" }),
    to: z.array(z.string()).openapi({ description: "email: the recipients" }),
    chatId: z.string().nullable().openapi({ description: "Telegram: the chat" }),
    repeatMinutes: z.number().nullable(),
    minSeverity: severitySchema,
    hosts: z.array(z.string()),
    groups: z.array(z.string()),
    rules: z.array(z.string()),
    groupBy: z.array(z.string()),
    groupWaitSeconds: z.number(),
    enabled: z.boolean(),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .openapi("Channel");

export const DeliverySchema = z
  .object({
    id: z.string(),
    channelId: z.string(),
    issueId: z.string().nullable(),
    event: z.string(),
    groupKey: z.string(),
    status: z.enum(deliveryStatuses),
    attempts: z.number(),
    nextAttemptAt: isoTime.nullable(),
    lastStatusCode: z.number().nullable(),
    lastError: z.string().nullable(),
    createdAt: isoTime,
    deliveredAt: isoTime.nullable(),
  })
  .openapi("Delivery");

export const deliveriesQuery = z.object({
  channel: z.string().max(64).optional(),
  status: z.enum(deliveryStatuses).optional(),
  issue: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
