/**
 * The seed's monitoring configuration ("alert_thresholds"). A module of its own, so the dashboard
 * takes these numbers without the rules built from them.
 */
import type { AlertThresholds } from "./types";

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  cpu_warning: 70,
  cpu_critical: 90,
  memory_warning: 80,
  memory_critical: 95,
  disk_warning: 85,
  disk_critical: 95,
};
