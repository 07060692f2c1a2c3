/** The last lines of a started service's log (<stateDir>/logs/<name>.log), bounded as the protocol wants. */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { LIMITS } from "../../protocol";

/** Enough for 20 lines of 300 characters and then some; a log may be huge, only its end is read. */
const TAIL_BYTES = 16 * 1024;

export function readLogTail(
  file: string,
  lines: number = LIMITS.logTailLines,
  chars: number = LIMITS.logLineChars,
): string[] | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return undefined; // never started by this agent, or its log was removed
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const text = buf.toString("utf8").replace(/\r\n/g, "\n");
    // the first line may be cut in the middle when the read started inside it
    const all = text.split("\n").slice(size > length ? 1 : 0);
    const tail = all
      .filter((l) => l.trim() !== "")
      .slice(-lines)
      .map((l) => l.slice(0, chars));
    return tail.length ? tail : undefined;
  } finally {
    closeSync(fd);
  }
}
