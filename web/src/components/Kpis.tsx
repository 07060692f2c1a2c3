import { formatSeconds } from "../format";
import type { HealingMetrics, SeverityCounts } from "../types";

const SEVERITIES = ["critical", "high", "medium", "low"] as const;

interface Props {
  metrics: HealingMetrics;
  /** Open issues by severity from the status document; falls back to the metrics' own counts. */
  open?: SeverityCounts;
}

/** The few numbers that say whether healing works: how fast, how often by itself, what is still open. */
export function Kpis({ metrics, open }: Props) {
  const rate = metrics.autoRecoveryRate;
  const counts = open ?? metrics.issues.bySeverity;
  const r = metrics.recoveries;
  return (
    <dl class="kpis">
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
