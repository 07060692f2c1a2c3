/** The REST shapes the dashboard reads (docs/api-shapes.md). Only the fields the UI uses are required. */
import type { Capabilities } from "../../agent/protocol";
import type {
  Invitation,
  Member,
  MySession,
  NewInvitation,
  Session,
  SessionState,
} from "../../worker/schemas/accounts";
import type { HostThresholds } from "../../worker/schemas/adaptive";
import type { NoiseMark } from "../../worker/schemas/noise";
import type { Availability } from "../../worker/schemas/uptime";
import type { Prediction } from "../../worker/services/prediction";

export type { Availability, Capabilities, Prediction };

export type Scope = "admin" | "read" | "operator" | "enroll" | "agent" | "metrics";
export type HealthStatus = "healthy" | "degraded" | "critical";
export type Severity = "critical" | "high" | "medium" | "low";
export type IssueStatus = "open" | "recovering" | "awaiting_approval" | "resolved" | "escalated";
export type HistoryStatus = "pending" | "succeeded" | "failed" | "refused" | "timed_out";

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
  /** When an admin retired it (it then shows only on its own page). */
  retiredAt?: string | null;
  /** What its agent's config lets it do; null until an agent that says so reports. */
  capabilities?: Capabilities | null;
}

export type SeverityCounts = Record<Severity, number>;

export interface HealingStatus {
  enabled: boolean;
  overallStatus: HealthStatus;
  healthScore: number | null;
  openIssues: SeverityCounts & { total: number };
  /** Issues waiting for a person to approve their command: a state of its own, not a severity. */
  awaitingApproval?: number;
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
  evidence?: Evidence | null;
  actions?: string[];
  /** Why it fired and what happens next (the diagnostics), when the API provides it. */
  explanation?: Explanation | string | null;
  /** Opening and closing too often: automatic actions are held. */
  flapping?: boolean;
  incident?: { key: string; probableCause: string; cause: boolean; related: string[] } | null;
  attempts?: number;
  detectedAt: string;
  resolvedAt: string | null;
  mttrSeconds?: number | null;
  escalatedAt?: string | null;
  /** Who took it on: when, and the name of their token. */
  acknowledgedAt?: string | null;
  acknowledgedBy?: string | null;
  /** "operator": opened by a host action (an emergency protocol), settled by its command. */
  source?: "engine" | "operator";
}

/** What POST /api/v1/hosts/{id}/actions answers. */
export interface HostActionQueued {
  issueId: string;
  issueStatus: IssueStatus;
  commandId: string;
  commandStatus: string;
  hostId: string;
  host: string;
  action: string;
  target: string | null;
  reason: string;
}

export interface Explanation {
  rule?: { id: string; name: string; kind: string; condition: string };
  evidence?: Record<string, unknown>;
  plan?: {
    actions: string[];
    next: string | null;
    why: string;
    chain?: { action: string; target: string | null; why: string }[];
    skipped?: { action: string; reason: string }[];
  };
}

export interface Evidence {
  metric?: string;
  service?: string;
  value?: number;
  threshold?: number;
  op?: "above" | "below";
  durationSeconds?: number;
  /** epoch ms */
  since?: number;
  /** [epoch ms, value], oldest first */
  window?: [number, number][];
  detail?: string;
  extra?: Record<string, number>;
  /** The service's last output lines, kept when it crashed (crash loops, failed restarts). */
  logTail?: string[];
  /** A person closed the issue (an operator action that ended refused or failed). */
  closed?: { by: string; reason: string; at: string };
  /** Built-in diagnostics: the finding in words (score, the host's normal range, the window). */
  explanation?: string;
  [key: string]: unknown;
}

export interface HistoryEntry {
  id: string;
  issueId: string | null;
  hostId: string;
  host: string;
  action: string;
  target: string | null;
  status: HistoryStatus;
  trigger: "auto" | "manual" | "local";
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
  /** awaiting_approval: the approval rules hold it until someone approves. */
  status: "pending" | "awaiting_approval";
}

export interface AlertThresholds {
  cpu_warning: number;
  cpu_critical: number;
  memory_warning: number;
  memory_critical: number;
  disk_warning: number;
  disk_critical: number;
}

export interface HealingConfig {
  enabled: boolean;
  monitoring?: { interval: number; enable_ai_diagnostics?: boolean; alert_thresholds: AlertThresholds };
  recovery?: {
    max_attempts: number;
    auto_recovery: boolean;
    /** Everything, nothing, or only what matches. */
    require_confirmation: boolean | { severities?: string[]; actions?: string[]; rules?: string[] };
    emergency_shutdown?: boolean;
  };
  [key: string]: unknown;
}

export interface FieldIssue {
  path: string;
  message: string;
}

export interface TokenInfo {
  id: string;
  name: string;
  scope: Scope;
  prefix: string;
  hostId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedToken {
  id: string;
  token: string;
  scope: Scope;
  name: string;
  prefix: string;
  createdAt: string;
}

/** A detection rule (agent/engine Rule); the rules API may add fields, which are kept as they are. */
export interface Rule {
  id: string;
  name: string;
  description?: string;
  kind: string;
  metric?: string;
  op?: "above" | "below";
  threshold?: number;
  service?: string;
  durationSeconds: number;
  severity: Severity;
  actions: string[];
  enabled: boolean;
  builtin?: boolean;
  /** A built-in whose defaults were replaced. */
  overridden?: boolean;
  /** The condition in words ("cpu above 90 for 300 s"). */
  condition?: string;
  [key: string]: unknown;
}

export interface BacktestFiring {
  target: string | null;
  openedAt: string;
  clearedAt: string | null;
  durationSeconds: number;
  peak: number | null;
  summary: string;
}

/** `POST /api/v1/rules/backtest`: when the rule would have fired over a host's stored samples. */
export interface BacktestResult {
  rule: string;
  samples: number;
  from: string | null;
  to: string | null;
  truncated: boolean;
  firings: BacktestFiring[];
  totalFiringSeconds: number;
  /** How many samples carry the rule's metric. */
  metricSamples?: number;
  /** Why the firings say little (no sample has the metric, or no samples at all). */
  warning?: string | null;
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
  /** Issues the engine tried to heal by itself, and those it healed (the auto-recovery rate's terms). */
  autoRecovery?: { attempted: number; healed: number };
  /** The engine's own issues (not operator actions or emergency protocols). */
  engineIssues?: { total: number; resolved: number; escalated: number };
  availability?: Availability;
}

export interface Sample {
  ts: string;
  metrics: Record<string, number>;
}

export interface List<T> {
  items: T[];
}

export type ChannelKind = "slack" | "pagerduty" | "webhook";

/** A notification channel; `url` and `secret` come back masked. */
export interface Channel {
  id: string;
  name: string;
  kind: ChannelKind;
  url: string | null;
  secret: string | null;
  minSeverity: Severity;
  hosts: string[];
  groups: string[];
  rules: string[];
  groupBy: string[];
  groupWaitSeconds: number;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Delivery {
  id: string;
  channelId: string;
  issueId: string | null;
  event: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export type CommandStatus =
  | "awaiting_approval"
  | "pending"
  | "delivered"
  | "succeeded"
  | "failed"
  | "refused"
  | "timed_out"
  | "rejected"
  | "expired";

/** `GET /api/v1/commands`: a recovery command; `awaiting_approval` ones wait for a human. */
export interface Command {
  id: string;
  hostId: string;
  host: string | null;
  issueId: string | null;
  action: string;
  target: string | null;
  status: CommandStatus | string;
  trigger: "auto" | "manual";
  createdAt: string;
  expiresAt: string;
  finishedAt: string | null;
  output: string | null;
  /** The approval it waits for: any operator, or a second one (not the token that asked for it). */
  approval?: "any" | "second" | null;
  /** The name of the token that asked for it; null: the engine. */
  requestedBy?: string | null;
  /** Asked for with this session's token: it cannot give the second approval. */
  requestedByYou?: boolean;
  approvedBy?: string | null;
}

/** `GET /api/v1/maintenance`: while in force, nothing is queued or notified for matching issues. */
export interface MaintenanceWindow {
  id: string;
  hostId: string | null;
  group: string | null;
  rule: string | null;
  startsAt: string;
  endsAt: string;
  reason: string;
  createdAt: string;
}

/** `GET /api/v1/learning`: how each (rule, action) pair has done so far. */
export interface LearnedAction {
  rule: string;
  action: string;
  attempts: number;
  succeeded: number;
  successRate: number;
  successProbability: number;
  minAttempts: number;
  medianSecondsToRecover: number | null;
}

export type { EffectiveConfig, ScopeLevel, ScopeOverrides } from "./scope-types";
export type {
  HostThresholds,
  Invitation,
  Member,
  MySession,
  NewInvitation,
  NoiseMark,
  Session,
  SessionState,
};
/** How this deployment lets people sign in (`GET /api/v1/session` when signed out). */
export type SignInMethod = Extract<SessionState, { signedIn: false }>["methods"][number];
