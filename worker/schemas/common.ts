/** Schema pieces every area's answers share. */
import { z } from "@hono/zod-openapi";
import { SEVERITIES } from "../../agent/engine";

/** A time in an answer: ISO 8601 in UTC, as `Date.toISOString()` prints it. */
export const isoTime = z.string().openapi({ format: "date-time" });

/** An issue's, rule's or check's severity, the worst first. */
export const severitySchema = z.enum(SEVERITIES);

/** An `{id}` path parameter: ids are short prefixed strings; a route taking longer ones says so. */
export const idParamOf = (max: number, description?: string) =>
  z.object({
    id: z
      .string()
      .min(1)
      .max(max)
      .openapi({ param: { name: "id", in: "path" }, ...(description ? { description } : {}) }),
  });

export const idParam = idParamOf(64);
