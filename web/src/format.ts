/** Times in the viewer's own zone and language; numbers the way the tables show them. */

const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const dayAndClock = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

export function parseTime(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "Nov 29, 2025, 12:09:30" in the viewer's zone. */
export function formatAbsolute(d: Date): string {
  return absolute.format(d);
}

/** "12 s ago" for the last hour, then the clock today, then day and clock. */
export function formatRelative(d: Date, now = Date.now()): string {
  const s = Math.round((now - d.getTime()) / 1000);
  if (s < -5) return dayAndClock.format(d);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  const sameDay = new Date(now).toDateString() === d.toDateString();
  if (s < 6 * 3600) return `${Math.floor(s / 3600)} h ago`;
  return sameDay ? clock.format(d) : dayAndClock.format(d);
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatSeconds(sec: number | null | undefined): string {
  return sec == null ? "—" : formatDuration(sec * 1000);
}

export function formatPercent(value: number | null | undefined, digits = 0): string {
  return value == null || !Number.isFinite(value) ? "—" : `${value.toFixed(digits)} %`;
}

export function formatScore(score: number | null | undefined): string {
  return score == null || !Number.isFinite(score) ? "—" : String(Math.round(score));
}

/** "awaiting_approval" → "awaiting approval". */
export function humanize(word: string): string {
  return word.replace(/_/g, " ");
}
