/** Command-line parsing: a command, then flags. Anything unexpected is a usage error (exit 64). */

export type CommandName = "run" | "check" | "help" | "version" | "keygen";

export interface ParsedArgs {
  command: CommandName;
  config?: string;
  verbose: boolean;
  json: boolean;
}

export class UsageError extends Error {
  override name = "UsageError";
}

const FLAGS: Record<string, { takesValue: boolean; commands: CommandName[] }> = {
  "--config": { takesValue: true, commands: ["run", "check"] },
  "--verbose": { takesValue: false, commands: ["run", "check"] },
  "--json": { takesValue: false, commands: ["check"] },
};
const ALIASES: Record<string, string> = { "-c": "--config", "-v": "--verbose" };

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { command: "help", verbose: false, json: false };
  const args = [...argv];
  if (args.some((a) => a === "--help" || a === "-h")) return out;
  if (args.some((a) => a === "--version" || a === "-V")) return { ...out, command: "version" };
  const first = args.shift();
  if (first === undefined) throw new UsageError("missing command");
  if (first === "help") return out;
  if (first === "keygen" && !args.length) return { ...out, command: "keygen" };
  if (first !== "run" && first !== "check") throw new UsageError(`unknown command "${first}"`);
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
    if (flag.takesValue) {
      const value = inline ?? args.shift();
      if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
      out.config = value;
    } else if (inline !== undefined) {
      throw new UsageError(`${name} takes no value`);
    } else if (name === "--verbose") out.verbose = true;
    else if (name === "--json") out.json = true;
  }
  if (out.command === "run" && !out.config) throw new UsageError("run needs --config <file>");
  return out;
}

export const USAGE = `selfheal-agent: the selfheal host agent (outbound only; runs only what its config allows)

Usage:
  selfheal-agent run --config <file> [--verbose]
      Enroll (first run), then report metrics and services every interval and
      run the recovery actions the server asks for that the config enables.
  selfheal-agent check [--config <file>] [--json] [--verbose]
      One-time health check on this host, no server needed.
      Exit status: 0 healthy, 1 degraded, 2 critical.
  selfheal-agent keygen
      Print a new Ed25519 key pair for command signing (commandSigningKey).
  selfheal-agent --help | --version

Options:
  -c, --config <file>   JSON config (see the README for every field)
  -v, --verbose         log every event to stderr, not only errors, enrolment and actions
      --json            check: print JSON instead of text

Exit status (run): 0 stopped by SIGTERM/SIGINT, 64 usage, 77 token rejected, 78 config error.`;
