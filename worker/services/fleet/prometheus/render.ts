/**
 * The Prometheus text exposition format 0.0.4 (docs/wire-formats.md): HELP and TYPE once per
 * family before its samples, samples of a family contiguous, escaped label values, a final \n.
 */
export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";
export type Labels = Record<string, string>;

export interface Sample {
  /** Appended to the family name: "_bucket", "_sum", "_count" for histograms. */
  suffix?: string;
  labels?: Labels;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

const escapeHelp = (s: string) => s.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
const escapeLabel = (s: string) => s.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

function labelText(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

export function render(families: Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples)
      lines.push(`${f.name}${s.suffix ?? ""}${labelText(s.labels)} ${formatValue(s.value)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Cumulative histogram samples from per-bucket counts (`counts[i]` = observations <= bounds[i]). */
export function histogram(
  bounds: number[],
  cumulative: number[],
  sum: number,
  count: number,
  labels: Labels = {},
) {
  const samples: Sample[] = bounds.map((le, i) => ({
    suffix: "_bucket",
    labels: { ...labels, le: String(le) },
    value: cumulative[i],
  }));
  samples.push({ suffix: "_bucket", labels: { ...labels, le: "+Inf" }, value: count });
  samples.push({ suffix: "_sum", labels, value: sum }, { suffix: "_count", labels, value: count });
  return samples;
}
