import { formatAbsolute, formatRelative, parseTime } from "../format";

/** A time shown relative ("12 s ago") with the full local date and time on hover and for machines. */
export function Time({ iso, relative = true }: { iso: string | null | undefined; relative?: boolean }) {
  const d = parseTime(iso);
  if (!d) return <span class="muted">—</span>;
  const full = formatAbsolute(d);
  return (
    <time dateTime={d.toISOString()} title={full}>
      {relative ? formatRelative(d) : full}
    </time>
  );
}
