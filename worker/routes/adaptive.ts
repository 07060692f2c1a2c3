/** GET /api/v1/hosts/{id}/thresholds: the host's suggested thresholds next to the org's. */
import { createRoute, z } from "@hono/zod-openapi";
import { alertThresholdsSchema } from "../../agent/protocol";
import { errorResponses, jsonContent, newRouter } from "../lib/openapi";
import { readers } from "../middleware/auth";
import { hostIdParam } from "../schemas/hosts";
import { hostThresholds } from "../services/adaptive";

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

const thresholds = createRoute({
  method: "get",
  path: "/{id}/thresholds",
  summary: "Adaptive thresholds: what the host's learned baseline suggests, next to the org's",
  tags: ["hosts"],
  middleware: [readers()] as const,
  request: { params: hostIdParam },
  responses: {
    200: jsonContent(HostThresholdsSchema, "The host's thresholds"),
    ...errorResponses("NOT_FOUND"),
  },
});

export const adaptiveRoutes = newRouter().openapi(thresholds, async (c) =>
  c.json(await hostThresholds(c.var.db, c.env, c.var.principal.orgId, c.req.valid("param").id), 200),
);
