/**
 * Imported first by the CLI, before any schema is built. zod compiles a parser per object schema
 * with `new Function` the first time it parses; the agent parses a config once and a response per
 * interval, so that speed buys nothing here, and the generated source and its bytecode stay on the
 * heap for the life of the process. (zod reads the setting when a schema is constructed.)
 * zod/mini has no error messages until a locale is set: English, as config errors are reported.
 */
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

z.config({ jitless: true, ...en() });
