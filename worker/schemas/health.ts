/** GET /health: the Worker answers, and which version it runs. */
import { z } from "@hono/zod-openapi";
import { isoTime } from "./common";

export const HealthSchema = z
  .object({ status: z.literal("ok"), version: z.string(), time: isoTime })
  .openapi("Health");
