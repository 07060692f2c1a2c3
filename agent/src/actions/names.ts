/** The actions this agent has handlers for. The config may enable only these; the server may ask for anything. */
export const ACTION_NAMES = [
  "restart_service",
  "force_restart",
  "stop_service",
  "clear_cache",
  "reset_config",
  "validate_config",
  "bless_config",
  "emergency_backup",
  "lockdown",
  "unlock",
  "emergency_shutdown",
  "run_script",
  "health_check",
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

export const isActionName = (name: string): name is ActionName =>
  (ACTION_NAMES as readonly string[]).includes(name);
