import { z } from "@hono/zod-openapi";
import { line } from "../lib/wire";

export const NoiseBodySchema = z
  .object({ reason: line(500).min(1).openapi({ example: "nightly batch job, expected" }) })
  .strict()
  .openapi("NoiseMarkRequest");

export const NoiseSchema = z
  .object({
    issueId: z.string(),
    hostId: z.string(),
    rule: z.string(),
    noise: z.boolean().openapi({ description: "this issue is marked as noise" }),
    reason: z.string().nullable(),
    markedBy: z.string().nullable(),
    markedAt: z.string().nullable(),
    hostRuleMarks: z
      .number()
      .int()
      .openapi({ description: "noise marks on this rule for this host: each raises its bar" }),
  })
  .openapi("NoiseMark");

export type NoiseMark = z.infer<typeof NoiseSchema>;
