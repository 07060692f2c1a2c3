/**
 * Environment profiles: presets between the defaults and the org's own settings, so
 * the effective configuration is defaults ⊕ preset ⊕ explicit settings. Only what the org never
 * set follows the profile: switching profile leaves its explicit settings as they are.
 * - development: act on everything at once, verify quickly;
 * - staging: the defaults;
 * - production: a human approves disruptive actions, and verification waits twice as long.
 */
import type { HealingConfig, profiles } from "../../schemas/config";

export type Profile = (typeof profiles)[number];
type Preset = {
  recovery?: Partial<HealingConfig["recovery"]>;
  monitoring?: Partial<HealingConfig["monitoring"]>;
};

export const DISRUPTIVE_ACTIONS = [
  "force_restart",
  "stop_service",
  "reset_config",
  "emergency_shutdown",
  "lockdown",
  "run_script",
];

/**
 * Built-in rules whose restart picks its service from the report (the largest or fastest-growing
 * RSS): in production a human confirms the choice before it runs.
 */
export const SELECTED_RESTART_RULES = ["memory_critical", "process_memory_leak"];

export const PROFILE_PRESETS: Record<Profile, Preset> = {
  development: {
    monitoring: { enable_ai_diagnostics: true },
    recovery: { auto_recovery: true, require_confirmation: false, verify_scale: 0.5 },
  },
  staging: {},
  production: {
    recovery: {
      require_confirmation: { actions: DISRUPTIVE_ACTIONS, rules: SELECTED_RESTART_RULES },
      verify_scale: 2,
    },
  },
};

export const presetOf = (profile: Profile | undefined): Preset => PROFILE_PRESETS[profile ?? "staging"];
