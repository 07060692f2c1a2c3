/** Deploy gates and post-deploy watches. */
import { z } from "@hono/zod-openapi";

export const gateScope = {
  group: z.string().min(1).max(100).optional(),
  host: z.string().min(1).max(100).optional(),
};

export const GateSchema = z
  .object({
    pass: z.boolean(),
    reasons: z.array(z.string()),
    minHealth: z.number(),
    hosts: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        group: z.string().nullable(),
        online: z.boolean(),
        healthScore: z.number().nullable(),
        openIssues: z.object({ critical: z.number(), high: z.number() }),
        servicesDown: z.array(z.string()),
      }),
    ),
  })
  .openapi("Gate");

export const GateWatchSchema = z
  .object({
    id: z.string(),
    status: z.enum(["watching", "passed", "failed"]),
    group: z.string().nullable(),
    hostId: z.string().nullable(),
    startedAt: z.string(),
    endsAt: z.string(),
    healthBefore: z.number().nullable(),
    healthMin: z.number().nullable(),
    samples: z.number(),
    reasons: z.array(z.string()),
  })
  .openapi("GateWatch");
