export const RANGES = [
  { label: "15 min", ms: 15 * 60_000 },
  { label: "1 h", ms: 3600_000 },
  { label: "6 h", ms: 6 * 3600_000 },
  { label: "24 h", ms: 24 * 3600_000 },
  { label: "7 d", ms: 7 * 24 * 3600_000 },
];

/** The chart range as a row of toggle buttons (one pressed). */
export function RangePicker({ value, onChange }: { value: number; onChange: (ms: number) => void }) {
  return (
    <fieldset class="segmented">
      <legend class="visually-hidden">Time range</legend>
      {RANGES.map((r) => (
        <button
          key={r.ms}
          type="button"
          class="btn small"
          aria-pressed={r.ms === value}
          data-testid={`range-${r.label.replace(" ", "")}`}
          onClick={() => onChange(r.ms)}
        >
          {r.label}
        </button>
      ))}
    </fieldset>
  );
}
