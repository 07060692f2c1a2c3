/** Entry point of the selfheal-agent binary. */
import "./zod-setup";
import { generateSigningKeys, KEYGEN_HELP } from "./actions/signing";
import { parseArgs, USAGE, UsageError } from "./args";
import { CHECK_EXIT, formatCheck, runHealthCheck } from "./check";
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./log";
import { runAgent } from "./run";
import { AGENT_VERSION } from "./version";

export const EXIT = { usage: 64, config: 78, software: 70 } as const;

export async function main(argv: readonly string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`selfheal-agent: ${err.message}\nRun "selfheal-agent --help" for usage.\n`);
    return EXIT.usage;
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
  const log = createLogger({ verbose: args.verbose });
  try {
    const config = args.config ? loadConfig(args.config) : undefined;
    if (args.command === "check") {
      const report = await runHealthCheck({ config, log });
      process.stdout.write(`${args.json ? JSON.stringify(report, null, 2) : formatCheck(report)}\n`);
      return CHECK_EXIT[report.status];
    }
    return await runAgent(config as NonNullable<typeof config>, log);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`selfheal-agent: ${err.message}\n`);
      return EXIT.config;
    }
    log.error(`fatal: ${(err as Error).stack ?? String(err)}`);
    return EXIT.software;
  }
}

const isEntry = (() => {
  const entry = process.argv[1] ?? "";
  return /selfheal-agent(\.js)?$|[\\/]cli\.(js|ts)$/.test(entry);
})();

if (isEntry) main(process.argv.slice(2)).then((code) => process.exit(code));
