/**
 * The config's JSON Schema, generated from the same zod schema the agent validates with: build.mjs
 * writes it to dist/config.schema.json, and a config's "$schema" can point editors at it. Checks
 * JSON Schema cannot say (cross-field rules, regex validity) stay the agent's own.
 */
import * as z from "zod/mini";
import { AGENT_VERSION } from "../version";
import { configSchema } from "./schema";

export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }),
    title: `selfheal-agent ${AGENT_VERSION} config`,
  };
}
