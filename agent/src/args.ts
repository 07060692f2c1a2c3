/** Command-line parsing: a command, then flags. Anything unexpected is a usage error (exit 64). */
import { LOG_FORMATS, type LogFormat } from "./log";

export type CommandName = "run" | "check" | "init" | "help" | "version" | "keygen";

export interface ParsedArgs {
  command: CommandName;
  config?: string;
  verbose: boolean;
  json: boolean;
  logFormat: LogFormat;
  /** init: what the written config holds, and whether it may replace a file. */
  server?: string;
  token?: string;
  name?: string;
  force: boolean;
}

export class UsageError extends Error {
  override name = "UsageError";
}

type ValueKey = "config" | "server" | "token" | "name" | "logFormat";
type SwitchKey = "verbose" | "json" | "force";
type Flag = { value: ValueKey; commands: CommandName[] } | { switch: SwitchKey; commands: CommandName[] };

const FLAGS: Record<string, Flag> = {
  "--config": { value: "config", commands: ["run", "check", "init"] },
  "--verbose": { switch: "verbose", commands: ["run", "check"] },
  "--json": { switch: "json", commands: ["check"] },
  "--log-format": { value: "logFormat", commands: ["run", "check"] },
  "--server": { value: "server", commands: ["init"] },
  "--token": { value: "token", commands: ["init"] },
  "--name": { value: "name", commands: ["init"] },
  "--force": { switch: "force", commands: ["init"] },
};
const ALIASES: Record<string, string> = { "-c": "--config", "-v": "--verbose" };

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { command: "help", verbose: false, json: false, logFormat: "text", force: false };
  const args = [...argv];
  if (args.some((a) => a === "--help" || a === "-h")) return out;
  if (args.some((a) => a === "--version" || a === "-V")) return { ...out, command: "version" };
  const first = args.shift();
  if (first === undefined) throw new UsageError("missing command");
  if (first === "help") return out;
  if (first === "keygen" && !args.length) return { ...out, command: "keygen" };
  if (first !== "run" && first !== "check" && first !== "init")
    throw new UsageError(`unknown command "${first}"`);
  out.command = first;
  while (args.length) {
    const arg = args.shift() as string;
    const [rawName, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const name = ALIASES[rawName] ?? rawName;
    const flag = FLAGS[name];
    if (!flag)
      throw new UsageError(arg.startsWith("-") ? `unknown flag ${rawName}` : `unexpected argument "${arg}"`);
    if (!flag.commands.includes(out.command))
      throw new UsageError(`${name} does not apply to "${out.command}"`);
    if ("value" in flag) {
      const value = inline ?? args.shift();
      if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
      if (flag.value === "logFormat") {
        if (!LOG_FORMATS.includes(value as LogFormat))
          throw new UsageError(`${name} is ${LOG_FORMATS.join(" or ")}, not "${value}"`);
        out.logFormat = value as LogFormat;
      } else out[flag.value] = value;
    } else if (inline !== undefined) {
      throw new UsageError(`${name} takes no value`);
    } else out[flag.switch] = true;
  }
  if (out.command === "init" && (!out.server || !out.token))
    throw new UsageError("init needs --server <url> and --token <enroll token>");
  return out;
}

export const USAGE = `selfheal-agent: the selfheal host agent (outbound only; runs only what its config allows)

Usage:
  selfheal-agent init --server <url> --token <enroll token> [--name <host>] [--config <file>] [--force]
      Write a commented config with safe defaults (default file: ./selfheal-agent.json, mode 0600),
      listing the systemd units and docker containers found here, commented out, to pick from.
  selfheal-agent run [--config <file>] [--verbose] [--log-format text|json]
      Enroll (first run), then report metrics and services every interval and
      run the recovery actions the server asks for that the config enables.
  selfheal-agent check [--config <file>] [--json] [--verbose] [--log-format text|json]
      One-time health check on this host, no server needed.
      Exit status: 0 healthy, 1 degraded, 2 critical, 3 unknown (the check itself failed).
  selfheal-agent keygen
      Print a new Ed25519 key pair for command signing (commandSigningKey).
  selfheal-agent --help | --version

Options:
  -c, --config <file>     config file: JSON, comments allowed (see the README for every field)
  -v, --verbose           log every event to stderr, not only errors, enrolment and actions
      --log-format <f>    text (default) or json: one JSON object per line
      --json              check: print JSON instead of text

Environment (over the config file's values when both are given; enough on their own to run):
  SELFHEAL_SERVER, SELFHEAL_TOKEN, SELFHEAL_NAME, SELFHEAL_STATE_DIR, SELFHEAL_PROC_ROOT
  HTTPS_PROXY / HTTP_PROXY / NO_PROXY: reach the server through an HTTP proxy (CONNECT)

Exit status (run): 0 stopped by SIGTERM/SIGINT, 64 usage, 77 token rejected, 78 config error.`;
