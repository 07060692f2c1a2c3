/**
 * Processes the agent started itself, remembered in <stateDir>/run/<name>.json so that a restarted
 * agent still knows them (they are detached and outlive it). The recorded start time guards
 * against a recycled pid.
 */
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../state-dir";
import { isoTime } from "../util";
import { isAlive, startTicks } from "./proc";

interface Record {
  pid: number;
  ticks?: number;
  startedAt: string;
}

export class StartedProcesses {
  constructor(private readonly runDir: string | undefined) {}

  private file(name: string): string | undefined {
    return this.runDir && path.join(this.runDir, `${name}.json`);
  }

  /** The pid, if that process is still the one the agent started. */
  pid(name: string): number | undefined {
    const file = this.file(name);
    if (!file) return undefined;
    let rec: Record;
    try {
      rec = JSON.parse(readFileSync(file, "utf8")) as Record;
    } catch {
      return undefined;
    }
    if (!isAlive(rec.pid)) return undefined;
    if (rec.ticks !== undefined && startTicks(rec.pid) !== rec.ticks) return undefined;
    return rec.pid;
  }

  remember(name: string, pid: number): void {
    const file = this.file(name);
    if (!file) return;
    const rec: Record = { pid, ticks: startTicks(pid), startedAt: isoTime() };
    writeFileAtomic(file, `${JSON.stringify(rec)}\n`, 0o600);
  }

  forget(name: string): void {
    const file = this.file(name);
    if (file) rmSync(file, { force: true });
  }
}
