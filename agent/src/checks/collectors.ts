/** The collectors of issue 10 the runner registers: custom checks and followed logs, when configured. */
import type { Collector } from "../collectors/types";
import type { ChecksConfig } from "../config-checks";
import type { Logger } from "../log";
import { logsCollector } from "../logs/collector";
import { checksCollector } from "./scheduler";

export function checkAndLogCollectors(config: Partial<ChecksConfig>, log?: Logger): Collector[] {
  return [
    ...(config.checks?.length ? [checksCollector(config.checks, log)] : []),
    ...(config.logs?.length ? [logsCollector(config.logs)] : []),
  ];
}
