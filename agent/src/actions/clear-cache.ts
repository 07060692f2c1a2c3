/**
 * clear_cache <cache>: deletes what is inside a configured cache folder (never the folder itself),
 * optionally only entries older than maxAgeSeconds, and reports the bytes freed (apparent sizes of
 * the files removed). The configured path must be a real folder, not a link. The walk itself runs
 * in a short-lived child (clear-cache-child.js) that deletes relative to the folder it stands in,
 * never by path: a symlink is removed as a link and never followed, a subfolder swapped for a link
 * or moved while it is being cleared is abandoned (and reported), and it never crosses onto
 * another filesystem. Anyone who can write inside the cache cannot steer it elsewhere.
 */
import { lstat, realpath } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CacheConfig } from "../config/recovery";
import { unsafeCachePath } from "../config/recovery";
import { combinedOutput, describeExit, execArgv } from "../services/exec";
import { errorMessage } from "../util";
import type { Tally } from "./clear-cache-child.js";
import type { ActionHandler } from "./types";

/** Beside this module in the source tree, beside cli.js in the bundle (agent/build.mjs copies it). */
const WALKER = fileURLToPath(new URL("./clear-cache-child.js", import.meta.url));
/** The walk stops itself after this and reports what it did; it is killed 5 s later if it has not. */
const LIMIT_MS = 300_000;

export const clearCache: ActionHandler = {
  name: "clear_cache",
  target: "cache",
  timeoutMs: () => LIMIT_MS + 10_000,
  async run(cmd, ctx) {
    const cache = ctx.config.caches.find((c) => c.name === cmd.target) as CacheConfig;
    const refused = (why: string) => ({
      status: "failed" as const,
      exitCode: null,
      output: `refused to clear ${cache.name} (${cache.path}): ${why}`,
    });
    // The configured path must be the real one: a cache folder swapped for a link to /etc (by
    // whoever owns its parent) must not get /etc emptied. The walker checks again that it stands
    // in this very inode (dev/ino) before it deletes anything.
    const root = path.resolve(cache.path);
    let id: { dev: bigint; ino: bigint };
    try {
      const st = await lstat(root, { bigint: true });
      if (st.isSymbolicLink()) return refused("it is a symlink (configure the real path)");
      if (!st.isDirectory()) return refused("not a directory");
      const real = await realpath(root);
      if (real !== root) return refused(`it resolves to ${real} (configure the real path)`);
      id = { dev: st.dev, ino: st.ino };
    } catch (err) {
      return refused(errorMessage(err));
    }
    const unsafe = unsafeCachePath(root);
    if (unsafe) return refused(`it resolves to ${root}, which ${unsafe}`);

    const cutoff = cache.maxAgeSeconds ? String(Date.now() - cache.maxAgeSeconds * 1000) : "";
    const argv = [process.execPath, WALKER, root, String(id.dev), String(id.ino), cutoff];
    const r = await execArgv([...argv, String(Date.now() + LIMIT_MS)], {
      timeoutMs: LIMIT_MS + 5_000,
      maxOutput: 256 * 1024,
    });
    let t: Tally;
    try {
      t = JSON.parse(r.stdout.trim().split("\n").at(-1) as string);
    } catch {
      const out = combinedOutput(r);
      return {
        status: r.timedOut ? "timed_out" : "failed",
        exitCode: r.code,
        output: `could not clear cache ${cache.name} (${root}): ${describeExit([process.execPath, WALKER], r)}${out ? `\n${out}` : ""}`,
      };
    }
    const output = summary(cache, root, t);
    const clean = !t.errorCount && !t.abandonedCount && !t.stopped;
    return clean ? { status: "succeeded", exitCode: 0, output } : { status: "failed", exitCode: 1, output };
  },
};

/** What really happened, every count included: a reader must see when a branch was left alone. */
function summary(cache: CacheConfig, root: string, t: Tally): string {
  const parts = [
    `cleared cache ${cache.name} (${root}): freed ${t.bytes} bytes (${human(t.bytes)}); ` +
      `removed ${t.files} files, ${t.links} symlinks, ${t.dirs} folders`,
  ];
  if (t.newer) parts.push(`left ${t.newer} entries newer than ${cache.maxAgeSeconds} s`);
  if (t.otherFs) parts.push(`left ${t.otherFs} folders on another filesystem`);
  if (t.abandonedCount)
    parts.push(
      `abandoned ${t.abandonedCount} folders that changed while being cleared (moved, or swapped for a ` +
        `link; left as they were from then on): ${t.abandoned.join(", ")}${more(t.abandoned, t.abandonedCount)}`,
    );
  if (t.stopped) parts.push(`stopped early: ${t.stopped}`);
  const head = parts.join("; ");
  if (!t.errorCount) return head;
  return (
    [`${head}; ${t.errorCount} could not be removed:`, ...t.errors].join("\n") + more(t.errors, t.errorCount)
  );
}

const more = (shown: string[], count: number) =>
  count > shown.length ? ` … and ${count - shown.length} more` : "";

export function human(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i ? v.toFixed(1) : v} ${units[i]}`;
}
