import type { Command } from "../../protocol";
import type { ActionPolicy } from "../config";
import type { Logger } from "../log";
import type { Outcome, ServiceManager } from "../services";
import type { ActionName } from "./names";

export interface ActionContext {
  services: ServiceManager;
  policy: ActionPolicy;
  log: Logger;
  /** Takes a fresh sample for the next report and describes it in one line. */
  collectNow(): Promise<string>;
}

export interface ActionHandler {
  name: ActionName;
  /** Whether the command must name a configured service as its target. */
  needsTarget: boolean;
  run(cmd: Command, ctx: ActionContext): Promise<Outcome>;
}
