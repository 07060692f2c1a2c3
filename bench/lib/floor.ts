/** Starts bench/lib/floor-worker.js under wrangler dev on the bench's local D1 (see that file). */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { freePort, quietEnv, ROOT, stopProcess, waitFor } from "../../scripts/lib/stack.mjs";

export async function startFloorWorker(persistTo: string) {
  const config = path.join(persistTo, "floor.wrangler.toml");
  writeFileSync(
    config,
    [
      'name = "selfheal-floor"',
      `main = "${path.join(ROOT, "bench", "lib", "floor-worker.js")}"`,
      'compatibility_date = "2026-04-26"',
      "[[d1_databases]]",
      'binding = "DB"',
      // no database_id, as in wrangler.toml: local D1 is then keyed by the name, so the floor
      // reads the app's migrated database (with an id it would open an empty one and every
      // query would fail)
      'database_name = "selfheal"',
      "",
    ].join("\n"),
  );
  const port = await freePort();
  const args = ["dev", "--config", config, "--ip", "127.0.0.1", "--port", String(port)];
  args.push("--inspector-port", String(await freePort()), "--persist-to", persistTo);
  args.push("--show-interactive-dev-session=false", "--log-level", "warn");
  const proc = spawn(path.join(ROOT, "node_modules", ".bin", "wrangler"), args, {
    cwd: ROOT,
    env: quietEnv(),
    detached: true,
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/noop`)).ok, { timeoutMs: 90_000, what: "floor worker" });
  return { url, pgid: proc.pid as number, stop: () => stopProcess(proc) };
}
