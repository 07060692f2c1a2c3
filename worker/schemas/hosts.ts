import { z } from "@hono/zod-openapi";
import { serviceKinds, serviceStatuses } from "../../agent/protocol";
import { capabilitiesSchema } from "../lib/wire";
import { idParamOf, isoTime } from "./common";

export const healthStatusSchema = z.enum(["healthy", "degraded", "critical"]);
export const metricsMap = z.record(z.string(), z.number());

export const ServiceSummarySchema = z
  .object({
    name: z.string(),
    kind: z.enum(serviceKinds),
    status: z.enum(serviceStatuses),
    detail: z.string().nullable(),
    changedAt: isoTime,
    stopped: z.boolean(),
  })
  .openapi("ServiceSummary");

export const HostSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    hostname: z.string().nullable(),
    os: z.string().nullable(),
    group: z.string().nullable(),
    hostKey: z.boolean().openapi({
      description: "the host proves itself with its key; false: enrolled before host keys (re-enroll it)",
    }),
    online: z.boolean(),
    lastSeenAt: isoTime.nullable(),
    healthScore: z.number().nullable(),
    status: healthStatusSchema,
    metrics: metricsMap.nullable(),
    services: z.array(ServiceSummarySchema),
    openIssues: z.number().int(),
    retiredAt: isoTime.nullable().openapi({
      description: "when an admin retired it (only a host asked for by id or name can be retired)",
    }),
    capabilities: capabilitiesSchema.nullable().openapi({
      description:
        "what its agent's config lets it do (enabled actions; configured services, caches, configs, scripts); null until an agent that says so reports",
    }),
  })
  .openapi("HostSummary");

export type HostSummary = z.infer<typeof HostSummarySchema>;

export const RetiredHostSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    retiredAt: isoTime,
    tokensRevoked: z.number().int(),
    issuesResolved: z.number().int(),
  })
  .openapi("RetiredHost");

// A rollup bucket is a sample whose metrics are averages, with min, max and n beside.
export const SampleSchema = z
  .object({
    ts: isoTime,
    metrics: metricsMap,
    min: metricsMap.optional(),
    max: metricsMap.optional(),
    n: z.number().int().optional().openapi({ description: "samples in the bucket (rollups only)" }),
  })
  .openapi("Sample");

export const SamplesSchema = z
  .object({
    items: z.array(SampleSchema),
    resolution: z
      .enum(["raw", "minute", "hour"])
      .openapi({ description: "raw samples or 1-minute/1-hour buckets" }),
  })
  .openapi("Samples");

export const hostIdParam = idParamOf(128, "host id (hst_…) or name");

export const samplesQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  // Auto serves raw up to 6 h, 1-minute buckets up to 7 d, 1-hour buckets beyond.
  resolution: z.enum(["auto", "raw", "minute", "hour"]).default("auto"),
});

export const SampleGapSchema = z
  .object({
    from: z.string().openapi({ example: "2026-01-01T00:00:00.000Z" }),
    to: z.string(),
    samples: z.number().int(),
    results: z.number().int(),
    reportedAt: z.string(),
  })
  .openapi("SampleGap");

/** A host's single-use re-enroll token, shown once. */
export const ReEnrollTokenSchema = z
  .object({
    hostId: z.string(),
    name: z.string(),
    tokenId: z.string(),
    token: z.string().openapi({ description: "shown once; put it in the host's agent config as token" }),
    expiresAt: isoTime,
  })
  .openapi("ReEnrollToken");
