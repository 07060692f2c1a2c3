/**
 * clear_cache <cache>: deletes what is inside a configured cache folder (never the folder itself),
 * optionally only entries older than maxAgeSeconds, and reports the bytes freed (apparent sizes of
 * the files removed). The configured path must be a real folder, not a link. It looks with
 * lstat only: a symlink is removed as a link and never followed; a folder whose real path is not
 * inside the cache (a swapped-in link, a bind mount of elsewhere) is left alone, and it never
 * crosses onto another filesystem.
 */
import { lstat, readdir, realpath, rmdir, unlink } from "node:fs/promises";
import path from "node:path";
import type { CacheConfig } from "../config-recovery";
import { unsafeCachePath } from "../config-recovery";
import { errorMessage } from "../util";
import type { ActionHandler } from "./types";

interface Tally {
  files: number;
  links: number;
  dirs: number;
  bytes: number;
  skipped: number;
  errors: string[];
}

export const clearCache: ActionHandler = {
  name: "clear_cache",
  target: "cache",
  async run(cmd, ctx) {
    const cache = ctx.config.caches.find((c) => c.name === cmd.target) as CacheConfig;
    const refused = (why: string) => ({
      status: "failed" as const,
      exitCode: null,
      output: `refused to clear ${cache.name} (${cache.path}): ${why}`,
    });
    // The configured path must be the real one: a cache folder swapped for a link to /etc (by
    // whoever owns its parent) must not get /etc emptied.
    const root = path.resolve(cache.path);
    try {
      const st = await lstat(root);
      if (st.isSymbolicLink()) return refused("it is a symlink (configure the real path)");
      if (!st.isDirectory()) return refused("not a directory");
      const real = await realpath(root);
      if (real !== root) return refused(`it resolves to ${real} (configure the real path)`);
    } catch (err) {
      return refused(errorMessage(err));
    }
    const unsafe = unsafeCachePath(root);
    if (unsafe) return refused(`it resolves to ${root}, which ${unsafe}`);
    const tally: Tally = { files: 0, links: 0, dirs: 0, bytes: 0, skipped: 0, errors: [] };
    const cutoff = cache.maxAgeSeconds ? Date.now() - cache.maxAgeSeconds * 1000 : undefined;
    await clearDir(root, root, (await lstat(root)).dev, cutoff, tally);
    const summary =
      `cleared cache ${cache.name} (${root}): freed ${tally.bytes} bytes (${human(tally.bytes)}); ` +
      `removed ${tally.files} files, ${tally.links} symlinks, ${tally.dirs} folders` +
      (tally.skipped
        ? `; left ${tally.skipped} entries newer than ${cache.maxAgeSeconds} s or outside the cache`
        : "");
    if (!tally.errors.length) return { status: "succeeded", exitCode: 0, output: summary };
    return {
      status: "failed",
      exitCode: 1,
      output: [`${summary}; ${tally.errors.length} could not be removed:`, ...tally.errors.slice(0, 20)].join(
        "\n",
      ),
    };
  },
};

/** Empties `dir`; true when everything in it went. */
async function clearDir(
  dir: string,
  root: string,
  dev: number,
  cutoff: number | undefined,
  t: Tally,
): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    t.errors.push(`${dir}: ${errorMessage(err)}`);
    return false;
  }
  let emptied = true;
  for (const name of names) {
    const entry = path.join(dir, name);
    try {
      const st = await lstat(entry);
      if (st.isSymbolicLink()) {
        if (cutoff !== undefined && st.mtimeMs > cutoff) {
          t.skipped++;
          emptied = false;
          continue;
        }
        await unlink(entry); // the link only, never what it points to
        t.links++;
      } else if (st.isDirectory()) {
        const real = await realpath(entry);
        if (st.dev !== dev || !real.startsWith(root + path.sep)) {
          t.skipped++;
          emptied = false;
          continue;
        }
        const empty = await clearDir(entry, root, dev, cutoff, t);
        if (empty && (cutoff === undefined || st.mtimeMs <= cutoff)) {
          await rmdir(entry);
          t.dirs++;
        } else emptied = false;
      } else {
        if (cutoff !== undefined && st.mtimeMs > cutoff) {
          t.skipped++;
          emptied = false;
          continue;
        }
        await unlink(entry);
        t.files++;
        t.bytes += st.size;
      }
    } catch (err) {
      emptied = false;
      t.errors.push(`${entry}: ${errorMessage(err)}`);
    }
  }
  return emptied;
}

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
