/**
 * Stored bytes per host per day (issue 8 part 4), from the bench's local D1 file after the runs:
 * SQLite's dbstat gives the pages each table and index holds (free space in them included), so
 * bytes per metric_samples row, times the samples a host sends a day, is what a day costs.
 * Needs the sqlite3 command-line shell (dbstat is compiled into Debian's); none: says so.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

const DAY_S = 86_400;

function sqlite(file: string, sql: string): string[][] {
  return execFileSync("sqlite3", ["-readonly", "-separator", "\t", file, sql], { encoding: "utf8" })
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split("\t"));
}

export function storageReport(persistTo: string, hosts: number): string[] {
  const dir = path.join(persistTo, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir)
    .filter((f) => f.endsWith(".sqlite"))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  let pages: string[][];
  try {
    pages = sqlite(file, "SELECT name, sum(pgsize), sum(payload) FROM dbstat GROUP BY name");
  } catch {
    return [`storage: no sqlite3 shell with dbstat here; the D1 file is ${statSync(file).size} bytes`];
  }
  const bytes = new Map(pages.map(([name, size, payload]) => [name, { size: +size, payload: +payload }]));
  const of = (name: string) => bytes.get(name) ?? { size: 0, payload: 0 };
  const [[rows]] = sqlite(file, "SELECT count(*) FROM metric_samples");
  const table = of("metric_samples");
  const index = of("sqlite_autoindex_metric_samples_1");
  const perRow = (table.size + index.size) / Number(rows);
  // Per host, rewritten in place by every report: its hosts row (engine state, metrics), its
  // services and its token.
  const fixed = ["hosts", "service_states", "sqlite_autoindex_service_states_1", "tokens"].reduce(
    (sum, name) => sum + of(name).size,
    0,
  );
  const perDay = (interval: number) => ((DAY_S / interval) * perRow) / 1e6;
  return [
    `storage: ${rows} metric_samples rows: ${(table.size / Number(rows)).toFixed(0)} B/row in the table ` +
      `(${(table.payload / Number(rows)).toFixed(0)} B payload) + ${(index.size / Number(rows)).toFixed(0)} B/row in its primary-key index = ${perRow.toFixed(0)} B/sample`,
    `storage: per host per day ${perDay(10).toFixed(2)} MB at a 10 s interval, ${perDay(2).toFixed(2)} MB at 2 s; ` +
      `plus ${(fixed / hosts / 1024).toFixed(1)} KB/host kept in place (host row with engine state, services, token)`,
  ];
}
