/**
 * Follows one log file like `tail -F`: starts at its end, reads what was appended since, in
 * chunks, and hands over whole lines. Survives rotation (the path now names another inode: the
 * rest of the old file is read first, then the new one from its start) and truncation (the file
 * shrank below the read position: it starts again from the top). Memory stays bounded: a chunk
 * buffer, a partial-line buffer cut at MAX_LINE, and at most MAX_READ bytes a poll.
 */
import { type FileHandle, open, stat } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";

const CHUNK = 64 * 1024;
export const MAX_LINE = 64 * 1024;
/** A burst larger than this is left for the next poll rather than read all at once. */
const MAX_READ = 16 * 1024 * 1024;

export class FileFollower {
  private fh?: FileHandle;
  private ino?: number;
  private pos = 0;
  private partial = "";
  private readonly buf = Buffer.alloc(CHUNK);
  // keeps a character split between two reads whole
  private decoder = new StringDecoder("utf8");

  constructor(readonly path: string) {}

  /** Opens the file at its end, so only lines written from now on count. A missing file is opened when it appears. */
  async prime(): Promise<void> {
    if (await this.reopen()) this.pos = (await (this.fh as FileHandle).stat()).size;
  }

  /** Reads everything appended since the last poll and calls onLine for each complete line. */
  async poll(onLine: (line: string) => void): Promise<void> {
    if (!this.fh && !(await this.reopen())) return;
    const current = await stat(this.path).catch(() => undefined);
    if (current && current.ino !== this.ino) {
      // rotated: finish the old file, then follow the new one from its start
      await this.drain(onLine, MAX_READ);
      await this.close();
      if (!(await this.reopen())) return;
    }
    const size = (await (this.fh as FileHandle).stat()).size;
    if (size < this.pos) {
      this.pos = 0;
      this.partial = "";
      this.decoder = new StringDecoder("utf8");
    }
    await this.drain(onLine, MAX_READ);
  }

  async close(): Promise<void> {
    await this.fh?.close().catch(() => undefined);
    this.fh = undefined;
    this.ino = undefined;
    this.pos = 0;
    this.partial = "";
  }

  private async reopen(): Promise<boolean> {
    try {
      this.fh = await open(this.path, "r");
      this.ino = (await this.fh.stat()).ino;
      this.pos = 0;
      this.decoder = new StringDecoder("utf8");
      return true;
    } catch {
      this.fh = undefined;
      return false;
    }
  }

  private async drain(onLine: (line: string) => void, budget: number): Promise<void> {
    const fh = this.fh;
    if (!fh) return;
    let left = budget;
    while (left > 0) {
      const { bytesRead } = await fh.read(this.buf, 0, Math.min(CHUNK, left), this.pos);
      if (bytesRead === 0) break;
      this.pos += bytesRead;
      left -= bytesRead;
      const lines = (this.partial + this.decoder.write(this.buf.subarray(0, bytesRead))).split("\n");
      this.partial = lines.pop() ?? "";
      for (const line of lines) onLine(line);
      // a "line" with no end in sight is judged by its first MAX_LINE characters and dropped
      if (this.partial.length > MAX_LINE) {
        onLine(this.partial.slice(0, MAX_LINE));
        this.partial = "";
      }
    }
  }
}
