/** Reading NAB-style data files and writing results in the scorer's layout. */
import fs from "node:fs";
import path from "node:path";

export interface Series {
  /** `<category>/<file>.csv` */
  key: string;
  /** the timestamp column as written */
  tsRaw: string[];
  /** epoch ms (naive timestamps read as UTC) */
  ts: number[];
  values: number[];
}

const TS_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?Z?$/;

export function parseTimestampMs(s: string): number {
  const m = TS_RE.exec(s.trim().replace(/^"|"$/g, ""));
  if (!m) throw new Error(`unsupported timestamp '${s}'`);
  const frac = Number(`0.${m[7] ?? "0"}`) * 1000;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) + frac;
}

/** Every `<category>/*.csv` one level below `dir`, sorted. */
export function listSeries(dir: string): string[] {
  const out: string[] = [];
  for (const cat of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!cat.isDirectory()) continue;
    for (const f of fs.readdirSync(path.join(dir, cat.name))) {
      if (f.endsWith(".csv")) out.push(`${cat.name}/${f}`);
    }
  }
  return out.sort();
}

export function readSeries(dir: string, key: string): Series {
  const lines = fs
    .readFileSync(path.join(dir, key), "utf8")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "");
  const header = lines[0].split(",").map((h) => h.replace(/^\uFEFF/, "").trim());
  const ti = header.indexOf("timestamp");
  const vi = header.indexOf("value");
  if (ti < 0 || vi < 0) throw new Error(`${key}: need timestamp,value columns`);
  const s: Series = { key, tsRaw: [], ts: [], values: [] };
  for (const line of lines.slice(1)) {
    const c = line.split(",");
    s.tsRaw.push(c[ti].trim());
    s.ts.push(parseTimestampMs(c[ti]));
    s.values.push(Number(c[vi]));
  }
  return s;
}

/** Writes `<out>/<category>/<name>_<file>.csv` with timestamp,value,anomaly_score,label. */
export function writeResult(outDir: string, name: string, s: Series, scores: ArrayLike<number>): void {
  const [cat, file] = s.key.split("/");
  fs.mkdirSync(path.join(outDir, cat), { recursive: true });
  const rows = ["timestamp,value,anomaly_score,label"];
  for (let i = 0; i < s.values.length; i++) rows.push(`${s.tsRaw[i]},${s.values[i]},${scores[i]},0`);
  fs.writeFileSync(path.join(outDir, cat, `${name}_${file}`), `${rows.join("\n")}\n`);
}
