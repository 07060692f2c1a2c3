import { formatPercent } from "../format";

interface Props {
  label: string;
  value: number | null | undefined;
  warning: number;
  critical: number;
}

/** A percentage as a short bar coloured by the configured warning and critical thresholds. */
export function Meter({ label, value, warning, critical }: Props) {
  if (value == null || !Number.isFinite(value)) return <span class="muted">—</span>;
  const pct = Math.max(0, Math.min(100, value));
  const level = value >= critical ? "critical" : value >= warning ? "warning" : "ok";
  return (
    <span class="meter" title={`${label} ${formatPercent(value, 1)}`}>
      <span class="meter-track" aria-hidden="true">
        <span class={`meter-fill level-${level}`} style={{ width: `${pct}%` }} />
      </span>
      <span class="meter-value">{formatPercent(value)}</span>
    </span>
  );
}
