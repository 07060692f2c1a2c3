/**
 * Stored bytes per host, from the bench's local files after the runs. Samples live in the host
 * objects' SQLite (worker/objects/host/history.ts): SQLite's dbstat over every object's file gives
 * the pages its samples table and index hold (free space included), so bytes per sample, times
 * the samples a host sends a day, is what a day costs; D1 keeps per host only its summary row,
 * services and token. Needs the sqlite3 command-line shell (dbstat is compiled into Debian's);
 * none: says so.
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
  // the host objects' files: their samples tables, summed
  const objects = path.join(persistTo, "v3", "do");
  const files = readdirSync(objects, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".sqlite"))
    .map((f) => path.join(objects, f));
  const table = { size: 0, payload: 0 };
  const index = { size: 0, payload: 0 };
  let rows = 0;
  let objectBytes = 0;
  for (const f of files) {
    // a host object's file has a samples table; anything else under do/ is not one
    if (!sqlite(f, "SELECT name FROM sqlite_master WHERE name = 'samples'").length) continue;
    objectBytes += statSync(f).size;
    const [[n]] = sqlite(f, "SELECT count(*) FROM samples");
    rows += Number(n);
    for (const [name, size, payload] of sqlite(
      f,
      "SELECT name, sum(pgsize), sum(payload) FROM dbstat GROUP BY name",
    )) {
      const into = name === "samples" ? table : name === "sqlite_autoindex_samples_1" ? index : null;
      if (into) {
        into.size += +size;
        into.payload += +payload;
      }
    }
  }
  const perRow = (table.size + index.size) / rows;
  // Per host, rewritten in place by every report: its hosts row (engine state, metrics), its
  // services and its token.
  const fixed = ["hosts", "service_states", "sqlite_autoindex_service_states_1", "tokens"].reduce(
    (sum, name) => sum + of(name).size,
    0,
  );
  const perDay = (interval: number) => ((DAY_S / interval) * perRow) / 1e6;
  return [
    `storage: ${hosts} host objects, ${(objectBytes / hosts / 1024).toFixed(0)} KB of SQLite each; ${rows} samples: ${(table.size / Number(rows)).toFixed(0)} B/row in the table ` +
      `(${(table.payload / Number(rows)).toFixed(0)} B payload) + ${(index.size / Number(rows)).toFixed(0)} B/row in its primary-key index = ${perRow.toFixed(0)} B/sample`,
    `storage: per host per day ${perDay(10).toFixed(2)} MB at a 10 s interval, ${perDay(2).toFixed(2)} MB at 2 s; ` +
      `(a few samples a host here: the figure per sample counts whole pages); in D1 ${(fixed / hosts / 1024).toFixed(1)} KB/host kept in place (host summary, services, token)`,
  ];
}
