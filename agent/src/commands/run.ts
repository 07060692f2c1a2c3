/** `selfheal-agent run`: wires config, identity, transport and the loop, and handles SIGTERM/SIGINT. */
import { type AgentConfig, ConfigError } from "../config/schema";
import { type EnrollDeps, FatalError, obtainAgentToken, renewAgentToken } from "../enroll";
import type { Logger } from "../log";
import { bestEffortNotice } from "../platform";
import { Runner, type RunnerOptions } from "../runner";
import { ensureStateDir } from "../state-dir";
import { ApiClient } from "../transport/client";
import { tuneV8ForAgent } from "../v8-tuning";
import { AGENT_VERSION } from "../version";

export async function runAgent(
  config: AgentConfig,
  log: Logger,
  extra: Partial<Pick<RunnerOptions, "settleMs" | "stopWaitMs" | "collector">> = {},
): Promise<number> {
  if (!config.server)
    throw new ConfigError(
      `invalid config${config.source ? ` ${config.source}` : ""}:\n  server: required to run (in --config <file>, or SELFHEAL_SERVER)`,
    );
  tuneV8ForAgent();
  const paths = ensureStateDir(config.stateDir);
  const client = new ApiClient({ server: config.server });
  const abort = new AbortController();
  let runner: Runner | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    log.notice(`received ${signal}, stopping (services keep running)`);
    abort.abort();
    void runner?.stop(0);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    const enrollDeps: EnrollDeps = {
      server: config.server,
      enrollToken: config.token,
      name: config.name,
      group: config.group,
      tokenFile: paths.token,
      keyFile: paths.key,
      client,
      log,
      retryCapMs: config.intervalSeconds * 1000,
      signal: abort.signal,
    };
    const identity = await obtainAgentToken(enrollDeps);
    if (!identity || abort.signal.aborted) return 0;
    runner = new Runner({
      config,
      paths,
      client,
      agentToken: identity.agentToken,
      hostId: identity.hostId,
      renewToken: async () => (await renewAgentToken(enrollDeps, identity.hostId))?.agentToken,
      log,
      ...extra,
    });
    log.notice("agent started", {
      version: AGENT_VERSION,
      server: config.server,
      hostId: identity.hostId,
      services: config.services.length,
      interval: config.intervalSeconds,
    });
    const notice = bestEffortNotice(process.platform);
    if (notice) log.notice(notice);
    await runner.start();
    return await runner.done;
  } catch (err) {
    if (err instanceof FatalError) {
      log.error(err.message);
      return err.exitCode;
    }
    throw err;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await client.close();
  }
}
