// Debian's monit supervising one HTTP service, the classic local way, for side-by-side MTTR:
// `set daemon 2` and `check process … if failed port … protocol http then restart`.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, stopProcess, waitFor } from "../../scripts/lib/stack.mjs";

const SERVICE = path.resolve(import.meta.dirname, "../../scripts/lib/http-service.mjs");

/** Installs Debian's monit when it is missing (root, as on this project's machines). */
export function ensureMonit(): string {
  if (!existsSync("/usr/bin/monit")) {
    console.log("installing Debian's monit…");
    execFileSync(
      "sh",
      ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq monit"],
      {
        stdio: "inherit",
      },
    );
  }
  return "/usr/bin/monit";
}

export async function startMonit(cycleSeconds = 2) {
  const monit = ensureMonit();
  const dir = mkdtempSync(path.join(tmpdir(), "selfheal-monit-"));
  const port = await freePort();
  const pidFile = path.join(dir, "web.pid");
  const rc = path.join(dir, "monitrc");
  writeFileSync(
    rc,
    [
      `set daemon ${cycleSeconds}`,
      `set logfile ${path.join(dir, "monit.log")}`,
      `set pidfile ${path.join(dir, "monit.pid")}`,
      `set idfile ${path.join(dir, "monit.id")}`,
      `set statefile ${path.join(dir, "monit.state")}`,
      `check process web with pidfile ${pidFile}`,
      // monit waits for the start program to exit (30 s timeout): a program that does not fork
      // itself is backgrounded, as monit's own documentation does for such programs.
      `  start program = "/bin/sh -c '${process.execPath} ${SERVICE} ${port} ${pidFile} >/dev/null 2>&1 &'"`,
      `  stop program = "/bin/sh -c 'kill $(cat ${pidFile})'"`,
      `  if failed port ${port} protocol http then restart`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  // -I: stay in the foreground, so stopping this child stops monit.
  const proc = spawn(monit, ["-c", rc, "-I"], { detached: true, stdio: "ignore" });
  const url = `http://127.0.0.1:${port}/`;
  await waitFor(async () => (await fetch(url)).ok, {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: "monit's service",
  });
  return {
    url,
    pid: () => Number(readFileSync(pidFile, "utf8").trim()),
    async stop() {
      await stopProcess(proc);
      try {
        process.kill(Number(readFileSync(pidFile, "utf8").trim()), "SIGKILL");
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
