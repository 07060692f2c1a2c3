/**
 * The agent protocol's schemas as the Worker uses them. agent/protocol writes them with zod/mini,
 * so that the agent's bundle keeps only the parts of zod it uses; @hono/zod-openapi documents
 * classic zod schemas, and the Worker's own schemas call classic methods on them (.openapi,
 * .optional, .partial, .min...). Each one here is rebuilt from the protocol's own definition (its
 * def, checks and refinements included) by the classic class of the same kind, never written
 * again: what it accepts, and its JSON Schema, are the protocol's (test/worker/wire.test.ts).
 */
import { z } from "@hono/zod-openapi";
import type * as core from "zod/v4/core";
import * as protocol from "../../agent/protocol";
import * as text from "../../agent/protocol/text";

type ClassicClass = new (def: unknown) => z.ZodType;
const classic = z as unknown as Record<string, ClassicClass | undefined>;
const rebuilt = new WeakMap<core.$ZodType, z.ZodType>();

const isSchema = (v: unknown): v is core.$ZodType =>
  typeof v === "object" && v !== null && "_zod" in v && "def" in (v as { _zod: object })._zod;

/** The def's nested schemas rebuilt too; checks (and other values) are shared as they are. */
function rebuildDef(def: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(def)) {
    if (key === "checks") out[key] = value;
    else if (isSchema(value)) out[key] = toClassic(value);
    else if (Array.isArray(value)) out[key] = value.map((v) => (isSchema(v) ? toClassic(v) : v));
    else if (key === "shape" && value && typeof value === "object")
      out[key] = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, isSchema(v) ? toClassic(v) : v]),
      );
    else out[key] = value;
  }
  return out;
}

/** A zod/mini schema as the classic schema of the same kind, built from the same definition. */
export function toClassic<T extends core.$ZodType>(schema: T): z.ZodType<core.output<T>, core.input<T>> {
  const done = rebuilt.get(schema);
  if (done) return done as z.ZodType<core.output<T>, core.input<T>>;
  const kind = schema.constructor.name;
  const Class = classic[kind.replace(/^ZodMini/, "Zod")];
  if (!Class) throw new Error(`no classic zod schema for ${kind}`);
  const out = new Class(rebuildDef(schema._zod.def as unknown as Record<string, unknown>));
  rebuilt.set(schema, out);
  return out as z.ZodType<core.output<T>, core.input<T>>;
}

/** protocol/text's line and multiline, as classic strings the Worker's schemas go on refining. */
export const line = (max: number) => toClassic(text.line(max)) as unknown as z.ZodString;
export const multiline = (max: number) => toClassic(text.multiline(max)) as unknown as z.ZodString;

export const entityName = toClassic(protocol.entityName) as unknown as z.ZodString;
export const alertThresholdsSchema = toClassic(protocol.alertThresholdsSchema) as unknown as z.ZodObject<
  { [K in keyof protocol.AlertThresholds]-?: z.ZodNumber },
  z.core.$strict
>;
export const commandSchema = toClassic(protocol.commandSchema);
export const enrollRequestSchema = toClassic(protocol.enrollRequestSchema);
export const enrollResponseSchema = toClassic(protocol.enrollResponseSchema);
export const refreshRequestSchema = toClassic(protocol.refreshRequestSchema);
export const reportRequestSchema = toClassic(protocol.reportRequestSchema);
export const reportResponseSchema = toClassic(protocol.reportResponseSchema);
export const capabilitiesSchema = toClassic(
  protocol.capabilitiesSchema,
) as unknown as z.ZodType<protocol.Capabilities>;
