/** Process lookups the Monit way: by pid (file), or by a pattern over command lines. */
import { readdirSync, readFileSync } from "node:fs";
import { describeExit, execArgv } from "./exec";

const linux = process.platform === "linux";

/** The stat line's fields after the command name (which may itself contain spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (!linux) return true;
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== "Z" && state !== "X";
}

/** When the process started, in clock ticks since boot: with the pid, it names one process even after pid reuse. */
export function startTicks(pid: number): number | undefined {
  const v = statFields(pid)?.[19];
  return v === undefined ? undefined : Number(v);
}

/**
 * Is this pid still the living process that started at `ticks`? One read of /proc/<pid>/stat,
 * where isAlive + startTicks take a signal and two. Linux only: elsewhere it says no, so the
 * caller looks the long way.
 */
export function stillSameProcess(pid: number, ticks: number): boolean {
  const f = statFields(pid);
  return f !== undefined && f[0] !== "Z" && f[0] !== "X" && Number(f[19]) === ticks;
}

export async function waitForExit(pid: number, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return true;
}

export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function commandLines(): Promise<{ pid: number; cmd: string }[]> {
  if (linux) {
    const out: { pid: number; cmd: string }[] = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0+$/, "").replace(/\0/g, " ");
        if (cmd) out.push({ pid: Number(entry), cmd });
      } catch {
        // exited while we looked
      }
    }
    return out;
  }
  return commandLinesFromPs();
}

/** Every process's command line from `ps` (macOS, the BSDs). */
export async function commandLinesFromPs(run = execArgv): Promise<{ pid: number; cmd: string }[]> {
  const argv = ["ps", "-axo", "pid=,command="];
  const ps = await run(argv, { timeoutMs: 5_000, maxOutput: 4 * 1024 * 1024 });
  // No list is not an empty list: "nothing matches" would read as down, and autostart or a
  // restart would start a second copy of a service that is running.
  if (ps.spawnError || ps.timedOut || ps.code !== 0)
    throw new Error(`cannot list processes: ${describeExit(argv, ps)}`);
  return ps.stdout
    .split("\n")
    .map((l) => /^\s*(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), cmd: m[2] }));
}

/** The oldest live process whose command line matches (the parent, when a service forks workers); never the agent. */
export async function findByMatch(pattern: RegExp): Promise<number | undefined> {
  let best: { pid: number; ticks: number } | undefined;
  for (const { pid, cmd } of await commandLines()) {
    if (pid === process.pid || !pattern.test(cmd) || !isAlive(pid)) continue;
    const ticks = startTicks(pid) ?? pid;
    if (!best || ticks < best.ticks || (ticks === best.ticks && pid < best.pid)) best = { pid, ticks };
  }
  return best?.pid;
}
