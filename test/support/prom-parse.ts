/**
 * A strict reader of the Prometheus text format 0.0.4, standing in for `promtool check metrics`:
 * returns the samples, or throws at the first line that breaks the format's rules.
 */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<string, string[]> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["_sum", "_count", ""],
};

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf("=", i);
    const name = text.slice(i, eq);
    if (eq < 0 || !LABEL_NAME.test(name)) throw new Error(`line ${line}: bad label name "${name}"`);
    if (name in labels) throw new Error(`line ${line}: duplicate label ${name}`);
    if (text[eq + 1] !== '"') throw new Error(`line ${line}: label value not quoted`);
    let j = eq + 2;
    let value = "";
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === "\\") {
        const next = text[++j];
        if (next === "n") value += "\n";
        else if (next === "\\" || next === '"') value += next;
        else throw new Error(`line ${line}: bad escape \\${next}`);
      } else value += text[j];
    }
    if (text[j] !== '"') throw new Error(`line ${line}: unterminated label value`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i++;
    else if (i < text.length) throw new Error(`line ${line}: expected , between labels`);
  }
  return labels;
}

function parseValue(text: string, line: number): number {
  if (text === "NaN") return Number.NaN;
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text))
    throw new Error(`line ${line}: bad value "${text}"`);
  return Number(text);
}

export function parseExposition(body: string): ParsedSample[] {
  if (!body.endsWith("\n")) throw new Error("the last line must end with \\n");
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const finished = new Set<string>();
  let current: string | null = null;
  const samples: ParsedSample[] = [];
  const familyOf = (name: string) => {
    for (const [family, type] of types) {
      for (const suffix of SUFFIXES[type] ?? [""]) if (name === family + suffix) return family;
    }
    return name;
  };
  body
    .slice(0, -1)
    .split("\n")
    .forEach((raw, idx) => {
      const line = idx + 1;
      if (raw.startsWith("# HELP ") || raw.startsWith("# TYPE ")) {
        const [, kind, name, ...rest] = raw.split(" ");
        if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name ${name}`);
        if (finished.has(name) || (current === name && samples.some((s) => familyOf(s.name) === name)))
          throw new Error(`line ${line}: ${kind} for ${name} after its samples`);
        if (kind === "TYPE") {
          if (types.has(name)) throw new Error(`line ${line}: second TYPE for ${name}`);
          if (!TYPES.has(rest[0]) || rest.length !== 1)
            throw new Error(`line ${line}: bad type ${rest.join(" ")}`);
          types.set(name, rest[0]);
        } else {
          if (helped.has(name)) throw new Error(`line ${line}: second HELP for ${name}`);
          helped.add(name);
        }
        if (current && current !== name) finished.add(current);
        current = name;
        return;
      }
      if (raw.startsWith("#") || raw === "") return;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(raw);
      if (!m) throw new Error(`line ${line}: not a sample: ${raw}`);
      const family = familyOf(m[1]);
      if (finished.has(family)) throw new Error(`line ${line}: samples of ${family} are not contiguous`);
      if (current && current !== family) finished.add(current);
      current = family;
      samples.push({ name: m[1], labels: parseLabels(m[3] ?? "", line), value: parseValue(m[4], line) });
    });
  for (const [family, type] of types) if (type === "histogram") checkHistogram(family, samples);
  return samples;
}

function checkHistogram(family: string, samples: ParsedSample[]) {
  const key = (l: Record<string, string>) =>
    JSON.stringify(
      Object.entries(l)
        .filter(([k]) => k !== "le")
        .sort(),
    );
  const groups = new Map<string, ParsedSample[]>();
  for (const s of samples.filter((s) => s.name === `${family}_bucket`)) {
    groups.set(key(s.labels), [...(groups.get(key(s.labels)) ?? []), s]);
  }
  for (const [k, buckets] of groups) {
    const les = buckets.map((b) => parseValue(b.labels.le, 0));
    if (les.at(-1) !== Number.POSITIVE_INFINITY) throw new Error(`${family}: no le="+Inf" bucket`);
    for (let i = 1; i < buckets.length; i++) {
      if (les[i] <= les[i - 1]) throw new Error(`${family}: buckets out of order`);
      if (buckets[i].value < buckets[i - 1].value) throw new Error(`${family}: buckets not cumulative`);
    }
    const countSample = samples.find((s) => s.name === `${family}_count` && key(s.labels) === k);
    if (!countSample || countSample.value !== buckets.at(-1)?.value)
      throw new Error(`${family}: +Inf bucket != _count`);
    if (!samples.some((s) => s.name === `${family}_sum` && key(s.labels) === k))
      throw new Error(`${family}: no _sum`);
  }
}
