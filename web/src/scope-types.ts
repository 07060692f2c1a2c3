/** Per-group and per-host overrides over the org's settings, as the scope routes answer them. */
import type { AlertThresholds, Rule } from "./types";
/** Where a threshold or a rule's field was set: the built-in default, the org, the host's group, the host. */
export type ScopeLevel = "default" | "org" | "group" | "host";

/** `GET /api/v1/scopes`: a group's or a host's overrides over the org's settings. */
export interface ScopeOverrides {
  kind: "group" | "host";
  /** The group's name, or the host's id. */
  key: string;
  thresholds: Partial<Record<keyof AlertThresholds, number>>;
  rules: Record<string, Record<string, unknown>>;
  updatedAt: string;
}

/** `GET /api/v1/hosts/{id}/effective-config`: what is in force on one host, and who set it. */
export interface EffectiveConfig {
  hostId: string;
  host: string;
  group: string | null;
  thresholds: Record<keyof AlertThresholds, { value: number; setBy: ScopeLevel }>;
  rules: (Rule & { setBy: ScopeLevel; fieldsSetBy: Record<string, ScopeLevel> })[];
}
