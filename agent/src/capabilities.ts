/**
 * What this agent can do, as the edge is told: the actions its config enables and the names it
 * may act on. Names only: the edge offers and queues by name, the agent still checks each command.
 */
import type { Capabilities } from "../protocol";
import type { AgentConfig } from "./config/schema";

export function capabilitiesOf(config: AgentConfig): Capabilities {
  const limits: Record<string, string[]> = {};
  for (const [action, policy] of Object.entries(config.actions))
    if (policy?.services) limits[action] = policy.services;
  return {
    actions: Object.keys(config.actions),
    ...(Object.keys(limits).length ? { limits } : {}),
    services: config.services.map((s) => s.name),
    caches: config.caches.map((c) => c.name),
    configs: config.configs.map((c) => c.name),
    scripts: Object.keys(config.scripts),
  };
}
