/** Schema pieces every area's answers share. */
import { z } from "@hono/zod-openapi";
import { SEVERITIES } from "../../agent/engine";

/** A time in an answer: ISO 8601 in UTC, as `Date.toISOString()` prints it. */
export const isoTime = z.string().openapi({ format: "date-time" });

/** An issue's, rule's or check's severity, the worst first. */
export const severitySchema = z.enum(SEVERITIES);
