/**
 * Imported first by the CLI, before any schema is built. zod compiles a parser per object schema
 * with `new Function` the first time it parses; the agent parses a config once and a response per
 * interval, so that speed buys nothing here, and the generated source and its bytecode stay on the
 * heap for the life of the process. (zod reads the setting when a schema is constructed.)
 */
import { z } from "zod";

z.config({ jitless: true });
