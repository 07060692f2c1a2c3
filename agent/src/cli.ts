/** Entry point of the selfheal-agent binary. */
import "./zod-setup";
import { generateSigningKeys, KEYGEN_HELP } from "./actions/signing";
import { type ParsedArgs, parseArgs, USAGE, UsageError } from "./args";
import { setProcRoot } from "./collectors/procfs";
import { CHECK_EXIT, formatCheck, runHealthCheck } from "./commands/check";
import { writeInitConfig } from "./commands/init";
import { runAgent } from "./commands/run";
import { ConfigError } from "./config/schema";
import { loadAgentConfig } from "./config/source";
import { createLogger } from "./log";
import { AGENT_VERSION } from "./version";

export const EXIT = { usage: 64, config: 78, software: 70 } as const;
/** `check` speaks the Nagios plugin convention: whatever stops it from judging the host is UNKNOWN. */
export const CHECK_UNKNOWN = 3;

export async function main(argv: readonly string[]): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`selfheal-agent: ${err.message}\nRun "selfheal-agent --help" for usage.\n`);
    return argv[0] === "check" ? unknown(err.message) : EXIT.usage;
  }
  if (args.command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.command === "version") {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return 0;
  }
  if (args.command === "keygen") {
    process.stdout.write(KEYGEN_HELP(generateSigningKeys()));
    return 0;
  }
  if (args.command === "init") return writeInitConfig(args);
  const log = createLogger({ verbose: args.verbose, format: args.logFormat });
  try {
    const config = args.config || args.command === "run" ? await loadAgentConfig(args.config) : undefined;
    setProcRoot(config?.procRoot);
    if (args.command === "check") {
      const report = await runHealthCheck({ config, log });
      process.stdout.write(`${args.json ? JSON.stringify(report, null, 2) : formatCheck(report)}\n`);
      return CHECK_EXIT[report.status];
    }
    return await runAgent(config as NonNullable<typeof config>, log);
  } catch (err) {
    if (args.command === "check") {
      log.error(
        `check failed: ${err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err))}`,
      );
      return unknown(err instanceof Error ? err.message.split("\n")[0] : String(err));
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`selfheal-agent: ${err.message}\n`);
      return EXIT.config;
    }
    log.error(`fatal: ${(err as Error).stack ?? String(err)}`);
    return EXIT.software;
  }
}

/** The plugin's one status line, as a monitoring system shows it. */
function unknown(why: string): number {
  process.stdout.write(`UNKNOWN - ${why}\n`);
  return CHECK_UNKNOWN;
}

const isEntry = (() => {
  const entry = process.argv[1] ?? "";
  return /selfheal-agent(\.js)?$|[\\/]cli\.(js|ts)$/.test(entry);
})();

if (isEntry) main(process.argv.slice(2)).then((code) => process.exit(code));
