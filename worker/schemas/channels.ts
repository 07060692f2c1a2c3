import { z } from "@hono/zod-openapi";
import { channelKinds, deliveryStatuses } from "../db/schema";
import { line } from "../lib/wire";
import { isoTime, severitySchema } from "./common";

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http or https URL" }).max(2048);
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

export const NewChannelSchema = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("slack"), url: httpUrl, ...common }).strict(),
    z
      .object({
        kind: z.literal("pagerduty"),
        routingKey: z.string().min(1).max(64),
        url: httpUrl.optional().openapi({ description: "endpoint override (default: PagerDuty's)" }),
        ...common,
      })
      .strict(),
    z
      .object({ kind: z.literal("webhook"), url: httpUrl, secret: z.string().min(16).max(256), ...common })
      .strict(),
  ])
  .openapi("NewChannel");

const { name, minSeverity, hosts, groups, rules, groupBy, groupWaitSeconds, enabled } = common;
export const ChannelPatchSchema = z
  .object({
    name: name.optional(),
    url: httpUrl.optional(),
    routingKey: z.string().min(1).max(64).optional(),
    secret: z.string().min(16).max(256).optional(),
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
    secret: z.string().nullable().openapi({ description: "masked routing key or signing secret" }),
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
