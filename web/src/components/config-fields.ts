/** The settings the config form shows, in groups, and how a form draft maps to the document. */
import type { HealingConfig } from "../types";

/** A form over the config document: it saves a part and hands back the whole document saved. */
export interface ConfigEditorProps {
  config: HealingConfig;
  canWrite: boolean;
  onSaved: (doc: HealingConfig) => void;
}

/** One setting of the config document: its dotted path, and how the form shows it. */
export interface FieldSpec {
  path: string;
  label: string;
  kind: "number" | "bool";
  min?: number;
  max?: number;
  hint?: string;
}

export const GROUPS: { title: string; fields: FieldSpec[] }[] = [
  {
    title: "Monitoring",
    fields: [
      {
        path: "monitoring.interval",
        label: "Interval (seconds)",
        kind: "number",
        min: 1,
        max: 3600,
        hint: "How often agents report; the dashboard refreshes at the same pace.",
      },
      { path: "monitoring.enable_ai_diagnostics", label: "Anomaly diagnostics", kind: "bool" },
    ],
  },
  {
    title: "Alert thresholds (%)",
    fields: ["cpu", "memory", "disk"].flatMap((m) => [
      {
        path: `monitoring.alert_thresholds.${m}_warning`,
        label: `${cap(m)} warning`,
        kind: "number" as const,
        min: 0,
        max: 100,
      },
      {
        path: `monitoring.alert_thresholds.${m}_critical`,
        label: `${cap(m)} critical`,
        kind: "number" as const,
        min: 0,
        max: 100,
      },
    ]),
  },
  {
    title: "Recovery",
    fields: [
      { path: "recovery.auto_recovery", label: "Recover automatically", kind: "bool" },
      { path: "recovery.max_attempts", label: "Attempts before escalating", kind: "number", min: 1, max: 10 },
      { path: "recovery.emergency_shutdown", label: "Allow emergency protocols", kind: "bool" },
    ],
  },
];

function cap(s: string) {
  return s === "cpu" ? "CPU" : s[0].toUpperCase() + s.slice(1);
}

function get(doc: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
}

/** Sets a dotted path in a nested object, creating the branches. */
export function put(doc: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split(".");
  let o = doc;
  for (const k of keys.slice(0, -1)) {
    if (!o[k]) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]] = value;
}

export type Draft = Record<string, string | boolean>;

export const toDraft = (doc: HealingConfig): Draft =>
  Object.fromEntries(
    GROUPS.flatMap((g) => g.fields).map((f) => {
      const v = get(doc, f.path);
      return [f.path, f.kind === "bool" ? v === true : v == null ? "" : String(v)];
    }),
  );
