#!/usr/bin/env node
// `npm run deploy`: build, apply the D1 migrations to the remote database, then `wrangler deploy`.
// wrangler.toml names the database without an id: `wrangler deploy` provisions it by that name on
// the first deploy (wrangler's resource provisioning) and finds it by name on every later one.
// `wrangler d1 migrations apply --remote` still needs the id, so this script looks the database up
// by name (creating it on the very first deploy) and hands wrangler a copy of wrangler.toml with
// the id filled in, written beside it so its relative paths hold, and removed after. Migrations run
// before the deploy, so new code never meets an old schema. A database_id written in wrangler.toml
// is used as it is. Plain JavaScript: it runs before anything is built.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WRANGLER = path.join(ROOT, "node_modules", ".bin", "wrangler");

/** wrangler.toml's D1 database: its name, and its id when one is written there. */
export function d1Database(toml) {
  const block = toml.split(/^\[\[d1_databases\]\]\s*$/m)[1]?.split(/^\[/m)[0] ?? "";
  const field = (key) => block.match(new RegExp(`^\\s*${key}\\s*=\\s*"([^"]+)"`, "m"))?.[1];
  return { name: field("database_name"), id: field("database_id") };
}

/** The same config with the database's id set (inserted after its database_name line). */
export function withDatabaseId(toml, id) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new Error(`not a D1 database id: ${id}`);
  return toml.replace(/^(\s*database_name\s*=\s*"[^"]+"\s*)$/m, `$1\ndatabase_id = "${id}"`);
}

function run(args, { capture = false } = {}) {
  const r = spawnSync(args[0], args.slice(1), {
    cwd: ROOT,
    stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
    encoding: "utf8",
  });
  if (r.status !== 0) {
    console.error(`[selfheal] failed: ${args.join(" ")}`);
    process.exit(r.status ?? 1);
  }
  return r.stdout;
}

function remoteId(name) {
  const list = JSON.parse(run([WRANGLER, "d1", "list", "--json"], { capture: true }));
  return list.find((db) => db.name === name)?.uuid;
}

async function main() {
  run(["npm", "run", "build"]);
  const source = path.join(ROOT, "wrangler.toml");
  const toml = readFileSync(source, "utf8");
  const db = d1Database(toml);
  if (!db.name) throw new Error("wrangler.toml: [[d1_databases]] has no database_name");
  let config = source;
  if (!db.id) {
    let id = remoteId(db.name);
    if (!id) {
      console.log(`[selfheal] creating the D1 database ${db.name}…`);
      run([WRANGLER, "d1", "create", db.name]);
      id = remoteId(db.name);
    }
    if (!id) throw new Error(`the D1 database ${db.name} was not found after creating it`);
    config = path.join(ROOT, ".wrangler.deploy.toml");
    writeFileSync(config, withDatabaseId(toml, id));
  }
  try {
    run([WRANGLER, "d1", "migrations", "apply", "DB", "--remote", "--config", config]);
    run([WRANGLER, "deploy", "--config", config]);
  } finally {
    if (config !== source) rmSync(config, { force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
