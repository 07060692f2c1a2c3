import { SEVERITIES } from "../../../agent/engine/types";
import { formatSeconds } from "../format";
import type { HealingMetrics, HostSummary, SeverityCounts } from "../types";
import { AvailabilityKpi } from "./AvailabilityKpi";

/** What each number means, shown as its tooltip (and read by screen readers). */
export const KPI_DEFINITIONS = {
  availability:
    "Services reporting up, out of the services meant to run. Services stopped on purpose (an emergency shutdown, a stop action) are counted apart.",
  mttr: "Median time from detection to resolution of the engine's own issues that were resolved. Operator actions and emergency protocols are left out.",
  autoRecovery:
    "Of the issues the engine tried to heal by itself (automatic attempts), the share it healed: an automatic action succeeded and the condition cleared. Manual recoveries, emergency protocols and refused actions are left out.",
  open: "Issues not resolved yet, by severity: open, recovering, awaiting approval or escalated.",
  resolved:
    "The engine's own issues that are resolved, out of all its issues. Operator actions and emergency protocols are left out.",
} as const;

interface Props {
  metrics: HealingMetrics;
  /** Open issues by severity from the status document; falls back to the metrics' own counts. */
  open?: SeverityCounts;
  /** For availability right now (the API has no uptime history yet). */
  hosts?: HostSummary[];
}

function Term({ id, label }: { id: keyof typeof KPI_DEFINITIONS; label: string }) {
  return (
    <dt title={KPI_DEFINITIONS[id]} data-testid={`kpi-term-${id}`}>
      {label}{" "}
      <span class="kpi-help" aria-label={`What ${label} means: ${KPI_DEFINITIONS[id]}`} role="img">
        ⓘ
      </span>
    </dt>
  );
}

/** The few numbers that say whether healing works: how fast, how often by itself, what is still open. */
export function Kpis({ metrics, open, hosts }: Props) {
  const rate = metrics.autoRecoveryRate;
  const counts = open ?? metrics.issues.bySeverity;
  const auto = metrics.autoRecovery;
  const engine = metrics.engineIssues ?? metrics.issues;
  const all = (hosts ?? []).flatMap((h) => h.services);
  const running = all.filter((x) => !x.stopped);
  const stopped = all.length - running.length;
  const up = running.filter((x) => x.status === "up").length;
  const online = (hosts ?? []).filter((h) => h.online).length;
  return (
    <dl class="kpis">
      {hosts && (
        <div class="kpi" data-testid="kpi-availability">
          <Term id="availability" label="Availability now" />
          <dd>
            {running.length ? `${Math.round((up / running.length) * 100)} %` : stopped ? "stopped" : "—"}
          </dd>
          <dd class="muted small">
            {running.length > 0 && `${up} of ${running.length} services up · `}
            {stopped > 0 && <span data-testid="kpi-stopped">{stopped} stopped on purpose · </span>}
            {online} of {hosts.length} hosts online
          </dd>
        </div>
      )}
      {metrics.availability && <AvailabilityKpi fleet={metrics.availability.fleet} />}
      <div class="kpi" data-testid="kpi-mttr">
        <Term id="mttr" label="MTTR (median)" />
        <dd>{formatSeconds(metrics.mttrSeconds.p50)}</dd>
        <dd class="muted small">p95 {formatSeconds(metrics.mttrSeconds.p95)}</dd>
      </div>
      <div class="kpi" data-testid="kpi-auto-recovery">
        <Term id="autoRecovery" label="Auto-recovery rate" />
        <dd>{rate == null ? "—" : `${Math.round(rate * 100)} %`}</dd>
        <dd class="muted small">
          {auto
            ? `${auto.healed} of ${auto.attempted} issues healed automatically`
            : "no automatic attempt yet"}
        </dd>
      </div>
      <div class="kpi">
        <Term id="open" label="Open issues" />
        <dd>{SEVERITIES.reduce((n, s) => n + (counts[s] ?? 0), 0)}</dd>
        <dd class="sev-counts small">
          {SEVERITIES.map((s) => (
            <span key={s} class={`badge tone-${s}`} title={`${counts[s] ?? 0} ${s}`}>
              {s} {counts[s] ?? 0}
            </span>
          ))}
        </dd>
      </div>
      <div class="kpi" data-testid="kpi-resolved">
        <Term id="resolved" label="Issues resolved" />
        <dd>{engine.resolved}</dd>
        <dd class="muted small">
          {engine.escalated} escalated of {engine.total}
        </dd>
      </div>
    </dl>
  );
}
