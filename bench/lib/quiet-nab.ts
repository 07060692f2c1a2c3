/**
 * bench:quiet (b): the built-in diagnostic rules, as configured, over series with no anomaly in
 * them (NAB's artificialNoAnomaly). Each rule reads the file's `value` in place of its metric, its
 * absolute floor dropped (NAB's units are arbitrary: a floor would keep it quiet for free), and
 * the engine runs as a host would: in reports of 15 samples, carrying its state between them.
 */
import fs from "node:fs";
import path from "node:path";
import { diagnosticRules, evaluate, type HostEngineState, type Rule } from "../../agent/engine";
import { readSeries } from "../nab/data";

export interface FileFindings {
  file: string;
  rows: number;
  /** findings opened per built-in rule id */
  byRule: Record<string, number>;
}

const REPORT = 15;

/** The CSVs to read: `dir` itself, or its artificialNoAnomaly folder when given NAB's data root. */
export function noAnomalyFiles(dir: string): { dir: string; files: string[] } {
  const nested = path.join(dir, "artificialNoAnomaly");
  const root = fs.existsSync(nested) ? nested : dir;
  const files = fs
    .readdirSync(root)
    .filter((f) => f.endsWith(".csv"))
    .sort();
  if (files.length === 0) throw new Error(`no .csv files in ${root}`);
  return { dir: root, files };
}

function onValue(rule: Rule): Rule {
  return { ...rule, metric: "value", threshold: undefined };
}

/**
 * The control: the same series with its last two days raised by its whole range (flat: by its
 * level), so the bench shows the rules can fire on these files rather than never judging at all.
 */
export function raised(values: number[]): number[] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const shift = hi > lo ? hi - lo : Math.abs(hi) || 1;
  const from = values.length - 2 * 288; // 5 min rows: 288 a day
  return values.map((v, i) => (i >= from ? v + shift : v));
}

export function findingsOf(
  dir: string,
  file: string,
  rules = diagnosticRules(),
  transform: (v: number[]) => number[] = (v) => v,
): FileFindings {
  const read = readSeries(dir, file);
  const s = { ...read, values: transform(read.values) };
  const byRule: Record<string, number> = {};
  for (const rule of rules) {
    let state: HostEngineState | undefined;
    let opened = 0;
    for (let i = 0; i < s.values.length; i += REPORT) {
      const samples = [];
      for (let j = i; j < Math.min(i + REPORT, s.values.length); j++)
        samples.push({ ts: s.ts[j], metrics: { value: s.values[j] } });
      const r = evaluate([onValue(rule)], state, { samples, now: samples[samples.length - 1].ts });
      state = r.state;
      opened += r.opened.length;
    }
    byRule[rule.id] = opened;
  }
  return { file, rows: s.values.length, byRule };
}
