/**
 * <stateDir>/commands.jsonl: every command id, written and fsynced BEFORE the agent acts on it, so
 * a command delivered twice (a retried response, a restarted agent) is never run twice.
 * A result line follows when it finishes; a start without a result was interrupted.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { writeFileAtomic } from "../state-dir";
import { isoTime } from "../util";

interface Entry {
  t: "start" | "result";
  id: string;
  action?: string;
  target?: string;
  status?: string;
  at: string;
}

const COMPACT_OVER_BYTES = 1024 * 1024;
const KEEP_ENTRIES = 5000;

export class CommandJournal {
  private readonly ids = new Set<string>();
  /** Commands started by an earlier run of the agent that never got a result. */
  readonly interrupted: Entry[] = [];

  constructor(private readonly file: string | undefined) {
    if (!file || !existsSync(file)) return;
    const entries = readFileSync(file, "utf8")
      .split("\n")
      .flatMap((line) => {
        try {
          const e = JSON.parse(line) as Entry;
          return typeof e?.id === "string" ? [e] : [];
        } catch {
          return []; // a torn last line after a crash
        }
      });
    const finished = new Set(entries.filter((e) => e.t === "result").map((e) => e.id));
    for (const e of entries) {
      this.ids.add(e.id);
      if (e.t === "start" && !finished.has(e.id)) this.interrupted.push(e);
    }
    if (statSync(file).size > COMPACT_OVER_BYTES)
      writeFileAtomic(
        file,
        `${entries
          .slice(-KEEP_ENTRIES)
          .map((e) => JSON.stringify(e))
          .join("\n")}\n`,
      );
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  recordStart(id: string, action: string, target?: string): void {
    this.ids.add(id);
    this.append({ t: "start", id, action, target, at: isoTime() });
  }

  recordResult(id: string, status: string): void {
    this.append({ t: "result", id, status, at: isoTime() });
  }

  private append(entry: Entry): void {
    if (!this.file) return;
    const fd = openSync(this.file, "a", 0o600);
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
