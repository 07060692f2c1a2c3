/**
 * emergency_backup: `tar -czf <stateDir>/backups/backup-<time>.tar.gz -- <paths>` (no shell),
 * written under a .partial name and renamed once tar is done, then only the newest `keep` kept.
 * tar's exit 1 (a file changed while it was read) still leaves a usable archive.
 */
import { readdir, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import type { BackupConfig } from "../config/recovery";
import { stamp } from "../configs/keeper";
import { combinedOutput, describeExit, execArgv } from "../services/exec";
import { human } from "./clear-cache";
import type { ActionHandler } from "./types";

export const emergencyBackup: ActionHandler = {
  name: "emergency_backup",
  timeoutMs: (_cmd, ctx) => (ctx.config.backup?.timeoutMs ?? 120_000) + 5_000,
  async run(_cmd, ctx) {
    const cfg = ctx.config.backup as BackupConfig;
    if (!ctx.paths) return { status: "failed", exitCode: null, output: "no state directory for backups" };
    const dir = ctx.paths.backups;
    const archive = path.join(dir, `backup-${stamp()}.tar.gz`);
    const partial = `${archive}.partial`;
    const argv = ["tar", "-czf", partial, "--", ...cfg.paths];
    const r = await execArgv(argv, { timeoutMs: cfg.timeoutMs });
    const out = combinedOutput(r);
    if (r.timedOut || (r.code !== 0 && r.code !== 1)) {
      await unlink(partial).catch(() => {});
      const head = r.timedOut ? `tar did not finish within ${cfg.timeoutMs / 1000} s` : describeExit(argv, r);
      return {
        status: r.timedOut ? "timed_out" : "failed",
        exitCode: r.code,
        output: `backup failed, nothing kept: ${head}${out ? `\n${out}` : ""}`,
      };
    }
    await rename(partial, archive);
    const size = (await stat(archive)).size;
    const removed = await retain(dir, cfg.keep);
    const lines = [
      `wrote ${archive} (${size} bytes, ${human(size)}) from ${cfg.paths.join(", ")}`,
      r.code === 1 ? "tar exit 1: some files changed while they were read" : "",
      removed.length ? `removed ${removed.length} older backups (keeping ${cfg.keep})` : "",
      out,
    ];
    return { status: "succeeded", exitCode: r.code, output: lines.filter(Boolean).join("\n") };
  },
};

async function retain(dir: string, keep: number): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => /^backup-.*\.tar\.gz$/.test(n)).sort();
  const old = names.slice(0, Math.max(0, names.length - keep));
  for (const n of old) await unlink(path.join(dir, n)).catch(() => {});
  return old;
}
