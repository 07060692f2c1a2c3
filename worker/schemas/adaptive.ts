import { z } from "@hono/zod-openapi";
import { alertThresholdsSchema } from "../lib/wire";

const basis = z.object({ p50: z.number(), p99: z.number(), samples: z.number().int() }).nullable();

export const HostThresholdsSchema = z
  .object({
    hostId: z.string(),
    host: z.string(),
    mode: z.enum(["suggest", "auto"]),
    org: alertThresholdsSchema.openapi({
      description: "the org's, with the host's group and host overrides",
    }),
    suggested: alertThresholdsSchema
      .partial()
      .openapi({ description: "from the host's learned baseline (p99 of normal + headroom)" }),
    applied: alertThresholdsSchema.openapi({
      description: "in force: the suggestions within bounds in auto mode",
    }),
    bounds: z.record(z.string(), z.object({ min: z.number(), max: z.number() })),
    basis: z.object({ cpu: basis, memory: basis, disk: basis }),
  })
  .openapi("HostThresholds");

export type HostThresholds = z.infer<typeof HostThresholdsSchema>;
