/** The approval policy (`recovery.require_confirmation`) as the editor's draft, and back. */
import type { Severity } from "../../../agent/engine/types";
import type { HealingConfig } from "../types";

export type Confirmation = NonNullable<HealingConfig["recovery"]>["require_confirmation"];
export type Mode = "never" | "always" | "some";

/** The agent's actions a rule can plan (the approval filter takes any name, webhook:<name> too). */
export const ACTIONS = [
  "restart_service",
  "force_restart",
  "stop_service",
  "clear_cache",
  "reset_config",
  "emergency_backup",
  "lockdown",
  "unlock",
  "run_script",
];
export const PATH = "recovery.require_confirmation";
const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export interface Draft {
  mode: Mode;
  severities: Severity[];
  actions: string[];
  otherActions: string;
  rules: string;
}

export function toDraft(c: Confirmation | undefined): Draft {
  if (typeof c !== "object" || c === null)
    return { mode: c ? "always" : "never", severities: [], actions: [], otherActions: "", rules: "" };
  const actions = c.actions ?? [];
  return {
    mode: "some",
    severities: c.severities ?? [],
    actions: actions.filter((a) => ACTIONS.includes(a)),
    otherActions: actions.filter((a) => !ACTIONS.includes(a)).join(", "),
    rules: (c.rules ?? []).join(", "),
  };
}

export function toValue(d: Draft): Confirmation {
  if (d.mode !== "some") return d.mode === "always";
  return { severities: d.severities, actions: [...d.actions, ...list(d.otherActions)], rules: list(d.rules) };
}
