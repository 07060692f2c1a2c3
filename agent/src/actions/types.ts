import type { Command } from "../../protocol";
import type { ActionPolicy, AgentConfig } from "../config/schema";
import type { ConfigKeeper } from "../configs/keeper";
import type { Logger } from "../log";
import type { Outcome, ServiceManager } from "../services";
import type { StatePaths } from "../state-dir";
import type { ActionName } from "./names";

export interface ActionContext {
  services: ServiceManager;
  policy: ActionPolicy;
  log: Logger;
  /** Takes a fresh sample for the next report and describes it in one line. */
  collectNow(): Promise<string>;
  /** The local config's recovery sections (caches, configs, backup, lockdown, scripts). */
  config: Pick<AgentConfig, "caches" | "configs" | "backup" | "lockdown" | "scripts">;
  /** Where backups go; absent in a one-off check. */
  paths?: StatePaths;
  configs: ConfigKeeper;
}

/** What a command's target must name: a configured service, cache, config file or script. */
export type TargetKind = "service" | "cache" | "config" | "script";

export interface ActionHandler {
  name: ActionName;
  /** The kind of configured thing the command's target must name; none when it takes no target. */
  target?: TargetKind;
  /** How long the registry lets it run when longer than its default (its own child has a shorter limit). */
  timeoutMs?(cmd: Command, ctx: ActionContext): number | undefined;
  run(cmd: Command, ctx: ActionContext): Promise<Outcome>;
}
