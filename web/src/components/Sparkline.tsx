import { useCallback } from "preact/hooks";
import { getSamples } from "../api";
import { usePoll } from "../usePoll";

const W = 80;
const H = 22;

interface Props {
  hostId: string;
  metric?: string;
  /** How often to refresh (ms). */
  everyMs?: number;
}

/** One metric over the last 60 samples of one host, as a hand-drawn SVG line. */
export function Sparkline({ hostId, metric = "cpu", everyMs = 30_000 }: Props) {
  const load = useCallback((signal: AbortSignal) => getSamples(hostId, 60, signal), [hostId]);
  const poll = usePoll(load, everyMs, { live: false });
  const values = (poll.data?.items ?? [])
    .map((s) => s.metrics[metric])
    .filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (values.length < 2) return <span class="muted">—</span>;
  const min = Math.round(Math.min(...values));
  const max = Math.round(Math.max(...values));
  const last = Math.round(values[values.length - 1]);
  return (
    <SparkSvg
      values={values}
      percent
      label={`${metric} over the last ${values.length} samples: ${min} to ${max} %, now ${last} %`}
    />
  );
}

/** A bare SVG line; `percent` pins the scale to 0–100, otherwise it spans the values' own range. */
export function SparkSvg({
  values,
  label,
  percent = false,
  width = W,
  height = H,
}: {
  values: number[];
  label: string;
  percent?: boolean;
  width?: number;
  height?: number;
}) {
  const lo = percent ? 0 : Math.min(...values);
  const hi = percent ? 100 : Math.max(...values);
  const span = hi - lo || 1;
  const step = width / Math.max(1, values.length - 1);
  const y = (v: number) => (height - 1 - Math.max(0, Math.min(1, (v - lo) / span)) * (height - 2)).toFixed(1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${y(v)}`).join(" ");
  return (
    <svg
      class="sparkline"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label={label}
    >
      <polyline
        points={points}
        fill="none"
        stroke="currentColor"
        stroke-width="1.5"
        vector-effect="non-scaling-stroke"
      />
    </svg>
  );
}
