/**
 * Reading a Nagios plugin the way Nagios does: exit 0 OK, 1 WARNING, 2 CRITICAL, anything else
 * UNKNOWN; the first line is the status text; performance data follows the first `|`, on the
 * first line and on every line after the first `|` of the long output.
 * (https://nagios-plugins.org/doc/guidelines.html#AEN200)
 */

export const CHECK_STATUSES = ["ok", "warning", "critical", "unknown"] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export interface PerfValue {
  label: string;
  /** In base units: seconds, bytes, percent, or the raw number (counters, unitless). */
  value: number;
  uom: string;
}

export interface PluginReading {
  status: CheckStatus;
  /** 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN: the check:<name>.status metric. */
  code: 0 | 1 | 2 | 3;
  text: string;
  perf: PerfValue[];
}

/** Multipliers to base units; ms and us divide, which keeps 30us exactly 0.00003. */
const DIVIDE: Record<string, number> = { ms: 1e3, us: 1e6 };
const SCALE: Record<string, number> = {
  s: 1,
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
  tb: 1024 ** 4,
};

/** One `label=value[UOM];warn;crit;min;max`; labels with spaces are single-quoted ('' is a quote). */
const PERF_ITEM = /('(?:[^']|'')+'|[^\s=']+)=(\S*)/g;
const VALUE = /^(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)([A-Za-z%]*)$/;

export function parsePerfdata(text: string): PerfValue[] {
  const out: PerfValue[] = [];
  for (const m of text.matchAll(PERF_ITEM)) {
    const label = m[1].startsWith("'") ? m[1].slice(1, -1).replace(/''/g, "'") : m[1];
    // "U" (undetermined) and anything unreadable carry no number
    const v = VALUE.exec(m[2].split(";")[0]);
    if (!v) continue;
    const uom = v[2];
    const unit = uom.toLowerCase();
    const value = (Number(v[1]) * (SCALE[unit] ?? 1)) / (DIVIDE[unit] ?? 1);
    if (Number.isFinite(value)) out.push({ label, value, uom });
  }
  return out;
}

export function readPlugin(code: number | null, stdout: string): PluginReading {
  const c = code === 0 || code === 1 || code === 2 ? code : 3;
  const lines = stdout.replace(/\r\n/g, "\n").split("\n");
  const [first = "", ...rest] = lines;
  const bar = first.indexOf("|");
  const text = (bar >= 0 ? first.slice(0, bar) : first).trim();
  const perfText = [bar >= 0 ? first.slice(bar + 1) : ""];
  const longBar = rest.findIndex((l) => l.includes("|"));
  if (longBar >= 0)
    perfText.push(rest[longBar].slice(rest[longBar].indexOf("|") + 1), ...rest.slice(longBar + 1));
  return { status: CHECK_STATUSES[c], code: c, text, perf: parsePerfdata(perfText.join(" ")) };
}
