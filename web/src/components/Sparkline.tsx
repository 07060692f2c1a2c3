import { useCallback } from "preact/hooks";
import { getSamples } from "../api";
import { usePoll } from "../usePoll";

const W = 80;
const H = 22;

/** CPU over the last 60 samples of one host, as a hand-drawn SVG line (refreshed every 30 s). */
export function Sparkline({ hostId, metric = "cpu" }: { hostId: string; metric?: string }) {
  const load = useCallback((signal: AbortSignal) => getSamples(hostId, 60, signal), [hostId]);
  const poll = usePoll(load, 30_000);
  const values = (poll.data?.items ?? [])
    .map((s) => s.metrics[metric])
    .filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (values.length < 2) return <span class="muted">—</span>;
  const step = W / (values.length - 1);
  const y = (v: number) => (H - 1 - (Math.max(0, Math.min(100, v)) / 100) * (H - 2)).toFixed(1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${y(v)}`).join(" ");
  const last = values[values.length - 1];
  const min = Math.round(Math.min(...values));
  const max = Math.round(Math.max(...values));
  return (
    <svg
      class="sparkline"
      viewBox={`0 0 ${W} ${H}`}
      width={W}
      height={H}
      role="img"
      aria-label={`${metric} over the last ${values.length} samples: ${min} to ${max} %, now ${Math.round(last)} %`}
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
