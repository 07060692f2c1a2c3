/**
 * Benches start `wrangler dev` in its own process group (so its CPU can be told apart from the
 * bench's), which a signal to the bench does not reach: a bench stopped by Ctrl-C, `timeout` or
 * `kill` would leave wrangler and workerd running and loading the machine. Called once at a
 * bench's start, this kills every child of the bench (and its group) on any way out: a normal
 * end, an uncaught error, SIGINT, SIGTERM or SIGHUP, including while wrangler is still starting.
 */
import { rmSync } from "node:fs";
import { constants } from "node:os";
import { processTable } from "../../scripts/lib/process-tree.mjs";

function killChildren() {
  for (const { pid, pgid } of processTable().filter((p) => p.ppid === process.pid)) {
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
