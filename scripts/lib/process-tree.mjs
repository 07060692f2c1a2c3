// The processes below one of ours, read from /proc (Linux). Our launchers start wrangler in a
// process group of its own (so it can be stopped, and its CPU counted, apart), which a signal to
// the launcher's group does not reach: stopping a launcher for good means every group below it.
import { readdirSync, readFileSync } from "node:fs";

/** @typedef {{ pid: number, ppid: number, pgid: number }} Proc */

/** Every process on the machine with its parent and process group. */
export function processTable() {
  /** @type {Proc[]} */
  const found = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // the fields after the command's closing parenthesis: state ppid pgrp ...
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      found.push({ pid: Number(name), ppid: Number(ppid), pgid: Number(pgrp) });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The processes below `pid`, at any depth (take them before it ends: its orphans move to init). */
export function descendants(pid) {
  const table = processTable();
  const below = [];
  for (let parents = new Set([pid]); parents.size > 0; ) {
    const next = table.filter((p) => parents.has(p.ppid));
    below.push(...next);
    parents = new Set(next.map((p) => p.pid));
  }
  return below;
}

/**
 * Sends `signal` to each process group the processes are in, once each, never to this process's
 * own group (a child started without `detached` shares it); gone ones are skipped.
 */
export function signalGroups(procs, signal = "SIGKILL") {
  const own = processTable().find((p) => p.pid === process.pid)?.pgid;
  for (const pgid of new Set(procs.map((p) => p.pgid)))
    if (pgid !== own)
      try {
        process.kill(-pgid, signal);
      } catch {
        // already gone
      }
}
