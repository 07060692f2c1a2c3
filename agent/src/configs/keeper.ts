/**
 * Known-good snapshots of the configured files, in <stateDir>/configs/<name>.good with its sha256
 * in <name>.good.sha256. The snapshot is the first version that passes validation, or one blessed
 * through bless_config. Drift = the file's hash is not the snapshot's; reset puts the snapshot
 * back atomically (temp file + rename, the old mode and owner kept) and keeps what it replaced.
 */
import { chmodSync, chownSync, closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { readdir, readFile, realpath, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { cryptoModule } from "../builtins";
import type { ConfigFileConfig } from "../config/recovery";
import type { Logger } from "../log";
import type { Outcome } from "../services";
import { writeFileAtomic } from "../state-dir";
import { errorMessage, isoTime } from "../util";
import { validateFile } from "./validate";

/** Replaced files kept per config, newest first. */
const KEEP_REPLACED = 10;

export const sha256 = (data: Uint8Array): string =>
  cryptoModule().createHash("sha256").update(data).digest("hex");

/** `config:<name>.drift`, with characters metric names do not allow replaced. */
export const driftMetric = (name: string): string =>
  `config:${name.replace(/[^A-Za-z0-9_.:/-]/g, "_")}.drift`;

export class ConfigKeeper {
  private readonly warned = new Set<string>();

  constructor(
    readonly files: ConfigFileConfig[],
    private readonly dir: string | undefined,
    private readonly log?: Logger,
  ) {}

  get(name: string): ConfigFileConfig | undefined {
    return this.files.find((f) => f.name === name);
  }

  private goodFile(name: string): string {
    return path.join(this.dir as string, `${name}.good`);
  }

  /** The snapshot's hash, when there is a snapshot whose content still matches it. */
  async goodHash(name: string): Promise<string | undefined> {
    if (!this.dir) return undefined;
    try {
      const [data, hash] = await Promise.all([
        readFile(this.goodFile(name)),
        readFile(`${this.goodFile(name)}.sha256`, "utf8"),
      ]);
      return sha256(data) === hash.trim() ? hash.trim() : undefined;
    } catch {
      return undefined;
    }
  }

  /** Takes the first version that validates as the snapshot, for each file that has none yet. */
  async ensureSnapshots(): Promise<void> {
    for (const cfg of this.files) {
      if (!this.dir || (await this.goodHash(cfg.name))) continue;
      const taken = await this.snapshot(cfg);
      if (taken.status === "succeeded") this.log?.notice("config snapshot taken", { config: cfg.name });
      else if (!this.warned.has(cfg.name)) {
        this.warned.add(cfg.name);
        this.log?.warn(`no known-good snapshot of ${cfg.name} yet: ${taken.output.split("\n")[0]}`);
      }
    }
  }

  /** `config:<name>.drift` = 1 when the file differs from (or is missing next to) its snapshot; none without one. */
  async driftMetrics(): Promise<Record<string, number>> {
    await this.ensureSnapshots();
    const metrics: Record<string, number> = {};
    for (const cfg of this.files) {
      const good = await this.goodHash(cfg.name);
      if (!good) continue;
      const current = await fileHash(cfg.path);
      metrics[driftMetric(cfg.name)] = current === good ? 0 : 1;
    }
    return metrics;
  }

  /** bless_config: the current file becomes the snapshot, if it validates and did not change meanwhile. */
  async snapshot(cfg: ConfigFileConfig): Promise<Outcome> {
    if (!this.dir) return { status: "failed", exitCode: null, output: "no state directory for snapshots" };
    let before: Buffer;
    try {
      before = await readFile(cfg.path);
    } catch (err) {
      return { status: "failed", exitCode: null, output: `cannot read ${cfg.path}: ${errorMessage(err)}` };
    }
    const v = await validateFile(cfg);
    if (!v.ok)
      return {
        status: v.timedOut ? "timed_out" : "failed",
        exitCode: v.exitCode,
        output: `${cfg.path} does not validate, snapshot unchanged: ${v.detail}`,
      };
    const hash = sha256(before);
    if ((await fileHash(cfg.path)) !== hash)
      return {
        status: "failed",
        exitCode: null,
        output: `${cfg.path} changed while it was validated; try again`,
      };
    writeFileAtomic(this.goodFile(cfg.name), before);
    writeFileAtomic(`${this.goodFile(cfg.name)}.sha256`, `${hash}\n`);
    return {
      status: "succeeded",
      exitCode: 0,
      output: `known-good snapshot of ${cfg.name} is now sha256 ${hash} (${v.detail})`,
    };
  }

  /** reset_config: the snapshot back in place; the file it replaces is kept as <name>.replaced-<time>. */
  async reset(cfg: ConfigFileConfig): Promise<Outcome> {
    const good = await this.goodHash(cfg.name);
    if (!good || !this.dir)
      return {
        status: "failed",
        exitCode: null,
        output: `no intact known-good snapshot of ${cfg.name}: it never validated, or the snapshot was damaged (bless_config takes one)`,
      };
    const data = await readFile(this.goodFile(cfg.name));
    const current = await fileHash(cfg.path);
    if (current === good)
      return {
        status: "succeeded",
        exitCode: 0,
        output: `${cfg.path} already matches the known-good snapshot (sha256 ${good})`,
      };
    // Write through a symlinked config to the file it points to, keeping the link.
    const target = await realpath(cfg.path).catch(() => cfg.path);
    const old = await stat(target).catch(() => undefined);
    let kept = "there was no file to keep";
    if (old) {
      const replaced = path.join(this.dir, `${cfg.name}.replaced-${stamp()}`);
      writeFileAtomic(replaced, await readFile(target));
      kept = `kept the replaced file (sha256 ${current}) as ${replaced}`;
      await prune(this.dir, `${cfg.name}.replaced-`);
    }
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.selfheal-${process.pid}.tmp`);
    try {
      const fd = openSync(tmp, "w", old ? old.mode & 0o7777 : 0o644);
      try {
        writeSync(fd, data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      if (old) {
        chmodSync(tmp, old.mode & 0o7777);
        if (process.getuid?.() === 0) chownSync(tmp, old.uid, old.gid);
      }
      renameSync(tmp, target);
    } catch (err) {
      rmSync(tmp, { force: true });
      return {
        status: "failed",
        exitCode: null,
        output: `could not restore ${target}: ${errorMessage(err)}; ${kept}`,
      };
    }
    return {
      status: "succeeded",
      exitCode: 0,
      output: `restored ${target} to the known-good snapshot (sha256 ${good}); ${kept}`,
    };
  }
}

async function fileHash(file: string): Promise<string | undefined> {
  try {
    return sha256(await readFile(file));
  } catch {
    return undefined;
  }
}

/** A file-name-safe UTC time that sorts: 2026-11-29T12-00-00-000Z. */
export const stamp = (d = new Date()): string => isoTime(d).replace(/[:.]/g, "-");

/** Keeps the newest KEEP_REPLACED files with this prefix (names sort by time). */
async function prune(dir: string, prefix: string, keep = KEEP_REPLACED): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.startsWith(prefix)).sort();
  for (const n of names.slice(0, Math.max(0, names.length - keep)))
    await unlink(path.join(dir, n)).catch(() => {});
}
