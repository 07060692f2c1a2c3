/** The collectors the runner registers: custom checks and followed logs, when configured. */
import type { CheckOutput } from "../../protocol";
import type { Collector } from "../collectors/types";
import type { ChecksConfig } from "../config/checks";
import type { Logger } from "../log";
import { logsCollector } from "../logs/collector";
import { checksCollector } from "./scheduler";

export function checkAndLogCollectors(config: Partial<ChecksConfig>, log?: Logger): Collector[] {
  return [
    ...(config.checks?.length ? [checksCollector(config.checks, log)] : []),
    ...(config.logs?.length ? [logsCollector(config.logs)] : []),
  ];
}

/** What a report carries as `checks`: the latest outputs of the checks among `collectors`, if any has run. */
export function checkOutputsOf(collectors: Collector[]): () => CheckOutput[] | undefined {
  const sources = collectors.filter((c): c is Collector & { outputs(): CheckOutput[] } => "outputs" in c);
  return () => {
    const out = sources.flatMap((c) => c.outputs());
    return out.length ? out : undefined;
  };
}
