import { formatSeconds } from "../format";
import type { HealingMetrics, HostSummary, SeverityCounts } from "../types";
import { AvailabilityKpi } from "./AvailabilityKpi";

const SEVERITIES = ["critical", "high", "medium", "low"] as const;

interface Props {
  metrics: HealingMetrics;
  /** Open issues by severity from the status document; falls back to the metrics' own counts. */
  open?: SeverityCounts;
  /** For availability right now (the API has no uptime history yet). */
  hosts?: HostSummary[];
}

/** The few numbers that say whether healing works: how fast, how often by itself, what is still open. */
export function Kpis({ metrics, open, hosts }: Props) {
  const rate = metrics.autoRecoveryRate;
  const counts = open ?? metrics.issues.bySeverity;
  const r = metrics.recoveries;
  const services = (hosts ?? []).flatMap((h) => h.services.filter((x) => !x.stopped));
  const up = services.filter((x) => x.status === "up").length;
  const online = (hosts ?? []).filter((h) => h.online).length;
  return (
    <dl class="kpis">
      {hosts && (
        <div class="kpi" data-testid="kpi-availability">
          <dt>Availability now</dt>
          <dd>{services.length ? `${Math.round((up / services.length) * 100)} %` : "—"}</dd>
          <dd class="muted small">
            {up} of {services.length} services up · {online} of {hosts.length} hosts online
          </dd>
        </div>
      )}
      {metrics.availability && <AvailabilityKpi fleet={metrics.availability.fleet} />}
      <div class="kpi">
        <dt>MTTR (median)</dt>
        <dd>{formatSeconds(metrics.mttrSeconds.p50)}</dd>
        <dd class="muted small">p95 {formatSeconds(metrics.mttrSeconds.p95)}</dd>
      </div>
      <div class="kpi">
        <dt>Auto-recovery rate</dt>
        <dd>{rate == null ? "—" : `${Math.round(rate * 100)} %`}</dd>
        <dd class="muted small">
          {r.succeeded} of {r.total} actions succeeded
        </dd>
      </div>
      <div class="kpi">
        <dt>Open issues</dt>
        <dd>{SEVERITIES.reduce((n, s) => n + (counts[s] ?? 0), 0)}</dd>
        <dd class="sev-counts small">
          {SEVERITIES.map((s) => (
            <span key={s} class={`badge tone-${s}`} title={`${counts[s] ?? 0} ${s}`}>
              {s} {counts[s] ?? 0}
            </span>
          ))}
        </dd>
      </div>
      <div class="kpi">
        <dt>Issues resolved</dt>
        <dd>{metrics.issues.resolved}</dd>
        <dd class="muted small">
          {metrics.issues.escalated} escalated of {metrics.issues.total}
        </dd>
      </div>
    </dl>
  );
}
