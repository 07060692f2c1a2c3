import { hostChoices, Options } from "../Options";

export const BACKTEST_RANGES = [
  { label: "last hour", ms: 3600_000 },
  { label: "last 24 hours", ms: 24 * 3600_000 },
  { label: "last 7 days", ms: 7 * 24 * 3600_000 },
];

interface Props {
  hosts: readonly { id: string; name: string }[];
  hostId: string;
  onHost: (id: string) => void;
  range: number;
  onRange: (ms: number) => void;
}

/** Which host's stored samples a backtest replays, and over how long. */
export function BacktestPicker({ hosts, hostId, onHost, range, onRange }: Props) {
  return (
    <>
      <label>
        Backtest on host
        <select value={hostId} onChange={(e) => onHost(e.currentTarget.value)} data-testid="backtest-host">
          {hosts.length === 0 && <option value="">no hosts yet</option>}
          <Options choices={hostChoices(hosts)} />
        </select>
      </label>
      <label>
        Over the
        <select value={range} onChange={(e) => onRange(Number(e.currentTarget.value))}>
          {BACKTEST_RANGES.map((r) => (
            <option key={r.ms} value={r.ms}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
