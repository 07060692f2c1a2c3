/**
 * The REST shapes the dashboard reads, taken from the Worker's own schemas (type-only imports: not
 * a byte of the Worker reaches the bundle). A response whose schema sits beside its route is read
 * from the app's route types instead (worker/api-types.ts), so there is still one source for each shape.
 */
import type { z } from "zod";
import type { Evidence as EngineEvidence, Rule as EngineRule } from "../../agent/engine/types";
import type { AlertThresholds, Capabilities } from "../../agent/protocol";
import type {
  BacktestResult,
  Command,
  CreatedToken,
  EffectiveConfig,
  LearnedAction,
  MaintenanceWindow,
  ScopeOverrides,
  TokenInfo,
} from "../../worker/api-types";
import type { commandStatuses, historyStatuses, issueStatuses, tokenScopes } from "../../worker/db/schema";
import type { FieldIssue } from "../../worker/lib/errors";
import type {
  Invitation,
  Member,
  MySession,
  NewInvitation,
  Session,
  SessionState,
  SignInFailedParam,
  SignInFailure,
} from "../../worker/schemas/accounts";
import type { HostThresholds } from "../../worker/schemas/adaptive";
import type { ChannelSchema, DeliverySchema } from "../../worker/schemas/channels";
import type { severitySchema } from "../../worker/schemas/common";
import type { healingConfigSchema } from "../../worker/schemas/config";
import type { FleetIncident, FleetIncidentDetail } from "../../worker/schemas/fleet";
import type {
  HealthCheckSchema,
  MetricsSchema,
  RecoverResponseSchema,
  StatusSchema,
} from "../../worker/schemas/healing";
import type { HostActionSchema } from "../../worker/schemas/host-actions";
import type {
  HostSummarySchema,
  healthStatusSchema,
  RetiredHostSchema,
  SampleSchema,
  ServiceSummarySchema,
} from "../../worker/schemas/hosts";
import type { HistoryEntrySchema, IssueSchema, PredictionSchema } from "../../worker/schemas/issues";
import type { NoiseMark } from "../../worker/schemas/noise";
import type { RuleViewSchema } from "../../worker/schemas/rules";
import type { Availability } from "../../worker/schemas/uptime";
import type { Answer, getIssue } from "./api";

export type {
  AlertThresholds,
  Availability,
  BacktestResult,
  Capabilities,
  Command,
  CreatedToken,
  EffectiveConfig,
  FieldIssue,
  FleetIncident,
  FleetIncidentDetail,
  HostThresholds,
  LearnedAction,
  MaintenanceWindow,
  NoiseMark,
  ScopeOverrides,
  Session,
  TokenInfo,
};

export type Scope = (typeof tokenScopes)[number];
export type HealthStatus = z.output<typeof healthStatusSchema>;
export type Severity = z.output<typeof severitySchema>;
export type IssueStatus = (typeof issueStatuses)[number];
export type HistoryStatus = (typeof historyStatuses)[number];
export type CommandStatus = (typeof commandStatuses)[number];

export type Service = z.output<typeof ServiceSummarySchema>;
export type HostSummary = z.output<typeof HostSummarySchema>;
export type RetiredHost = z.output<typeof RetiredHostSchema>;
export type SeverityCounts = Record<Severity, number>;
export type HealingStatus = z.output<typeof StatusSchema>;

export type Issue = z.output<typeof IssueSchema>;
/** An issue with its timeline, as `GET /api/healing/issues/{id}` answers it (its evidence as JSON). */
export type IssueDetail = Answer<typeof getIssue>;
export type Explanation = Issue["explanation"];
export type Prediction = z.output<typeof PredictionSchema>;
/**
 * The evidence map as the dashboard reads it: the engine's finding, plus what the Worker adds
 * (the service's last output lines, who closed the issue). The API documents it as an open map.
 */
export type Evidence = Partial<EngineEvidence> & {
  /** The service's last output lines, kept when it crashed (crash loops, failed restarts). */
  logTail?: string[];
  /** A person closed the issue (an operator action that ended refused or failed). */
  closed?: { by: string; reason: string; at: string };
  [key: string]: unknown;
};
/** What POST /api/v1/hosts/{id}/actions answers. */
export type HostActionQueued = z.output<typeof HostActionSchema>;
export type HistoryEntry = z.output<typeof HistoryEntrySchema>;
export type HealthCheckResult = z.output<typeof HealthCheckSchema>;
export type RecoverAccepted = z.output<typeof RecoverResponseSchema>;
export type HealingConfig = z.output<typeof healingConfigSchema>;
export type HealingMetrics = z.output<typeof MetricsSchema>;
export type Sample = z.output<typeof SampleSchema>;

/** A detection rule as the rules API answers it: the engine's rule plus how it came to be. */
export type RuleView = z.output<typeof RuleViewSchema> & EngineRule;
/** A rule the editor holds: one the API answered, or a new one not yet saved. */
export type Rule = EngineRule &
  Partial<Pick<RuleView, "builtin" | "overridden" | "condition">> &
  Record<string, unknown>;
export type BacktestFiring = BacktestResult["firings"][number];

export interface List<T> {
  items: T[];
}

/** A notification channel; `url` and `secret` come back masked. */
export type Channel = z.output<typeof ChannelSchema>;
export type ChannelKind = Channel["kind"];
export type Delivery = z.output<typeof DeliverySchema>;

/** Where a threshold or a rule's field was set: the built-in default, the org, the host's group, the host. */
export type ScopeLevel = EffectiveConfig["thresholds"][keyof AlertThresholds]["setBy"];

export type { Invitation, Member, MySession, NewInvitation, SessionState, SignInFailedParam, SignInFailure };
/** How this deployment lets people sign in (`GET /api/v1/session` when signed out). */
export type SignInMethod = Extract<SessionState, { signedIn: false }>["methods"][number];
