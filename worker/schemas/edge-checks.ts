import { z } from "@hono/zod-openapi";
import { severitySchema } from "./common";

export const NewEdgeCheckSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: "must be an http or https URL" }).max(2048),
    expectStatus: z.number().int().min(100).max(599).default(200),
    timeoutMs: z.number().int().min(100).max(30_000).default(10_000),
    severity: severitySchema.default("high"),
  })
  .strict()
  .openapi("NewEdgeCheck");

export const EdgeCheckSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    expectStatus: z.number(),
    timeoutMs: z.number(),
    severity: severitySchema,
    createdAt: z.string(),
    lastCheckedAt: z.string().nullable(),
    lastOk: z.boolean().nullable(),
    lastStatus: z.number().nullable(),
    lastLatencyMs: z.number().nullable(),
    lastError: z.string().nullable(),
  })
  .openapi("EdgeCheck");
