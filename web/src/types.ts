/** The REST shapes the dashboard reads (docs/api-shapes.md). Only the fields the UI uses are required. */

export type Scope = "admin" | "read" | "enroll" | "agent";
export type HealthStatus = "healthy" | "degraded" | "critical";
export type Severity = "critical" | "high" | "medium" | "low";
export type IssueStatus = "open" | "recovering" | "awaiting_approval" | "resolved" | "escalated";
export type HistoryStatus = "pending" | "succeeded" | "failed" | "refused" | "timed_out";

export interface Session {
  scope: Scope;
  orgId: string;
  name: string;
}

export interface Service {
  name: string;
  kind: string;
  status: "up" | "down" | "unknown";
  detail?: string | null;
  changedAt?: string | null;
  stopped?: boolean | null;
}

export interface HostSummary {
  id: string;
  name: string;
  hostname?: string | null;
  os?: string | null;
  group?: string | null;
  online: boolean;
  lastSeenAt: string | null;
  healthScore: number | null;
  status?: HealthStatus | string | null;
  metrics: Record<string, number> | null;
  services: Service[];
  openIssues: number;
}

export type SeverityCounts = Record<Severity, number>;

export interface HealingStatus {
  enabled: boolean;
  overallStatus: HealthStatus;
  healthScore: number | null;
  openIssues: SeverityCounts & { total: number };
  lastCheck: string | null;
  hosts: HostSummary[];
}

export interface Issue {
  id: string;
  hostId: string;
  host: string;
  rule: string;
  ruleName?: string | null;
  target?: string | null;
  severity: Severity;
  status: IssueStatus;
  summary: string;
  attempts?: number;
  detectedAt: string;
  resolvedAt: string | null;
  mttrSeconds?: number | null;
  escalatedAt?: string | null;
}

export interface HistoryEntry {
  id: string;
  issueId: string | null;
  hostId: string;
  host: string;
  action: string;
  target: string | null;
  status: HistoryStatus;
  trigger: "auto" | "manual";
  startedAt: string;
  finishedAt: string | null;
  exitCode?: number | null;
  output?: string | null;
  durationMs: number | null;
  verified?: boolean | null;
}

export interface HealthCheckResult {
  overallStatus: HealthStatus;
  healthScore: number | null;
  checkedAt: string;
  hosts: { id: string; name: string; healthScore: number | null; status: string }[];
  issues: Issue[];
}

export interface RecoverAccepted {
  commandId: string;
  issueId: string;
  hostId: string;
  action: string;
  target: string | null;
  status: "pending";
}

export interface HealingConfig {
  enabled: boolean;
  [key: string]: unknown;
}

export interface HealingMetrics {
  mttrSeconds: { mean: number | null; p50: number | null; p95: number | null };
  autoRecoveryRate: number | null;
  issues: {
    total: number;
    open: number;
    resolved: number;
    escalated: number;
    bySeverity: Partial<SeverityCounts>;
  };
  recoveries: { total: number; succeeded: number; failed: number; refused: number; timedOut: number };
}

export interface Sample {
  ts: string;
  metrics: Record<string, number>;
}

export interface List<T> {
  items: T[];
}
