import type { Availability } from "../types";

/** 99.95 %: two decimals, because the difference between 99 % and 99.9 % is the whole point. */
export const formatAvailability = (ratio: number | null | undefined) =>
  ratio == null ? "—" : ratio >= 1 ? "100 %" : `${(Math.floor(ratio * 10_000) / 100).toFixed(2)} %`;

/** The seed's uptime headline: the fleet's availability over 30 days, with 24 h and 7 d beside. */
export function AvailabilityKpi({ fleet }: { fleet: Availability["fleet"] }) {
  return (
    <div class="kpi" data-testid="kpi-uptime">
      <dt>Uptime (30 d)</dt>
      <dd>{formatAvailability(fleet["30d"])}</dd>
      <dd class="muted small">
        24 h {formatAvailability(fleet["24h"])} · 7 d {formatAvailability(fleet["7d"])}
      </dd>
    </div>
  );
}
