/**
 * Benches start `wrangler dev` in its own process group (so its CPU can be told apart from the
 * bench's), which a signal to the bench does not reach: a bench stopped by Ctrl-C, `timeout` or
 * `kill` would leave wrangler and workerd running and loading the machine. Called once at a
 * bench's start, this kills every child of the bench (and its group) on any way out: a normal
 * end, an uncaught error, SIGINT, SIGTERM or SIGHUP, including while wrangler is still starting.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { constants } from "node:os";

/** Direct children of this process, with their process group: [pid, pgid]. */
function children(): [number, number][] {
  const found: [number, number][] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // the fields after the command's closing parenthesis: state ppid pgrp ...
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) === process.pid) found.push([Number(name), Number(pgrp)]);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function killChildren() {
  for (const [pid, pgid] of children()) {
    try {
      // a child leading its own group (detached) takes its group with it: wrangler and its workerd
      process.kill(pgid === pid ? -pid : pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Kills the bench's children on every exit path; `dirs` (its temporary files) are removed too. */
export function stopChildrenOnExit(...dirs: string[]): void {
  process.on("exit", () => {
    killChildren();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.once(signal, () => process.exit(128 + constants.signals[signal]));
}
