/**
 * Services stopped on purpose (stop_service, emergency_shutdown), kept in <stateDir>/stopped.json
 * so the mark survives an agent restart: such a service is reported `stopped`, never as an outage,
 * and neither autostart nor local autonomy brings it back. restart_service/force_restart clear it.
 */
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../state-dir";
import { isoTime } from "../util";

export class StoppedMarks {
  private readonly names: Map<string, string>;

  constructor(private readonly file: string | undefined) {
    this.names = new Map(Object.entries(read(file)));
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  /** When it was stopped and by what, for the service's detail. */
  reason(name: string): string | undefined {
    return this.names.get(name);
  }

  mark(name: string, why: string): void {
    this.names.set(name, `${why} at ${isoTime()}`);
    this.save();
  }

  clear(name: string): void {
    if (this.names.delete(name)) this.save();
  }

  private save(): void {
    if (this.file) writeFileAtomic(this.file, `${JSON.stringify(Object.fromEntries(this.names))}\n`);
  }
}

function read(file: string | undefined): Record<string, string> {
  if (!file) return {};
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, string>) : {};
  } catch {
    return {};
  }
}
