/**
 * Where the config comes from: a file (JSON; comments and trailing commas allowed, as `init`
 * writes it), the environment, or both. SELFHEAL_SERVER, SELFHEAL_TOKEN, SELFHEAL_NAME,
 * SELFHEAL_STATE_DIR and SELFHEAL_PROC_ROOT win over the file's values, so a container or a
 * systemd drop-in can set them without editing it, and they are enough on their own to run.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type AgentConfig, ConfigError, parseConfig } from "./schema";

/** Environment variable → config key. */
export const CONFIG_ENV = {
  SELFHEAL_SERVER: "server",
  SELFHEAL_TOKEN: "token",
  SELFHEAL_NAME: "name",
  SELFHEAL_STATE_DIR: "stateDir",
  SELFHEAL_PROC_ROOT: "procRoot",
} as const;

/** The file's settings with the environment's laid over them (paths from the environment are taken from the working directory). */
export function withEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  const given = Object.entries(CONFIG_ENV).filter(([k]) => env[k]);
  if (!given.length) return raw;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...raw };
  for (const [k, key] of given) {
    const value = env[k] as string;
    out[key] = key === "stateDir" || key === "procRoot" ? path.resolve(value) : value;
  }
  return out;
}

/** The config file's value: JSON, or where that fails JSON with comments (jsonc-parser, loaded only then). */
export async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    // comments or trailing commas: the commented config `init` writes
  }
  const { parse, printParseErrorCode } = await import("jsonc-parser");
  const errors: import("jsonc-parser").ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length) {
    const { error, offset } = errors[0];
    const before = text.slice(0, offset).split("\n");
    const where = `line ${before.length} column ${(before.at(-1)?.length ?? 0) + 1}`;
    throw new ConfigError(`config ${file} is not valid JSON: ${printParseErrorCode(error)} at ${where}`);
  }
  return value;
}

/** The agent's config from `--config` (if given) and the environment. */
export async function loadAgentConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AgentConfig> {
  const raw = file ? await readConfigFile(file) : {};
  return parseConfig(withEnv(raw, env), file);
}
