// @ts-check
/**
 * The clear_cache walk, run in a short-lived child process:
 *   node clear-cache-child.js <root> <dev> <ino> <cutoffMs|""> <deadlineMs>
 * Prints one JSON Tally line. Plain JavaScript with node: imports only, so the same file runs
 * from the source tree and from the published package's dist/.
 *
 * Why a child: whoever can write inside the cache can rename a subfolder away and put a link to
 * /elsewhere in its place while the walk runs; deleting by path would then follow the link.
 * Node has no unlinkat or fchdir, so this process chdirs instead: it enters each folder by its
 * entry name, checks that "." is the very inode it lstat'ed (a link swapped in since is caught
 * here), and removes plain names relative to the working directory. The working directory is an
 * inode, not a path: no later rename or link swap of any path component can redirect an unlink.
 * A folder that is no longer the inode at its path (moved or replaced) is abandoned, never
 * climbed out of blindly: the walk gets back to its parent by "..", or else by the root's path,
 * and checks each step the same way.
 */
import { lstatSync, readdirSync, realpathSync, rmdirSync, unlinkSync } from "node:fs";
import path from "node:path";

/**
 * @typedef {object} Tally what the walk did; the lists hold the first few, the counts all
 * @property {number} files
 * @property {number} links
 * @property {number} dirs
 * @property {number} bytes apparent sizes of the files removed
 * @property {number} newer entries left because they are newer than the cutoff
 * @property {number} otherFs folders left because they are on another filesystem
 * @property {number} abandonedCount folders left because they changed while being cleared
 * @property {string[]} abandoned
 * @property {number} errorCount
 * @property {string[]} errors
 * @property {string} [stopped] why the walk ended before the end
 */

/** @typedef {{ name: string, path: string, dev: bigint, ino: bigint }} Frame */

const LISTED = 20;

/** The folder at `level` of the stack is not the one the walk entered: nothing below it is trusted. */
class Changed extends Error {
  /** @param {number} level */
  constructor(level) {
    super("changed while being cleared");
    this.level = level;
  }
}

class OutOfTime extends Error {}

/** @param {unknown} err */
const message = (err) => (err instanceof Error ? err.message : String(err)).slice(0, 300);

/**
 * @param {string} root
 * @param {{ dev: bigint, ino: bigint }} rootId
 * @param {bigint | undefined} cutoff
 * @param {number} deadline
 * @returns {Tally}
 */
function clearCacheWalk(root, rootId, cutoff, deadline) {
  /** @type {Tally} */
  const t = {
    files: 0,
    links: 0,
    dirs: 0,
    bytes: 0,
    newer: 0,
    otherFs: 0,
    abandonedCount: 0,
    abandoned: [],
    errorCount: 0,
    errors: [],
  };
  /** @type {Frame[]} */
  const stack = [{ name: root, path: root, ...rootId }];
  /** @param {string} what @param {unknown} err */
  const fail = (what, err) => {
    if (t.errorCount++ < LISTED) t.errors.push(`${what}: ${message(err)}`);
  };
  /** @param {string} what */
  const abandon = (what) => {
    if (t.abandonedCount++ < LISTED) t.abandoned.push(what);
  };

  /** The working directory is the frame's inode, and that inode still sits at the frame's path. */
  const isAt = (/** @type {Frame} */ f) => {
    try {
      const st = lstatSync(".", { bigint: true });
      return st.dev === f.dev && st.ino === f.ino && realpathSync.native(".") === f.path;
    } catch {
      return false;
    }
  };

  /** Back to stack[level] from one of its subfolders: by "..", else down from the root by name. */
  const backTo = (/** @type {number} */ level) => {
    try {
      process.chdir("..");
      if (isAt(stack[level])) return;
    } catch {
      // unreachable by ".." (removed, no permission): go down from the root
    }
    for (let i = 0; i <= level; i++) {
      try {
        process.chdir(i === 0 ? root : stack[i].name);
      } catch {
        throw new Changed(i);
      }
      if (!isAt(stack[i])) throw new Changed(i);
    }
  };

  /** Empties the working directory, stack[depth]; true when everything in it went. */
  const clearDir = (/** @type {number} */ depth) => {
    const here = stack[depth];
    let names;
    try {
      names = readdirSync(".");
    } catch (err) {
      fail(here.path, err);
      return false;
    }
    let emptied = true;
    for (const name of names) {
      if (Date.now() > deadline) throw new OutOfTime();
      if (!isAt(here)) throw new Changed(depth);
      const entry = path.join(here.path, name);
      try {
        const st = lstatSync(name, { bigint: true });
        if (st.isDirectory()) {
          if (!clearSubdir(depth, name, entry, st)) emptied = false;
        } else if (cutoff !== undefined && st.mtimeMs > cutoff) {
          t.newer++;
          emptied = false;
        } else {
          unlinkSync(name); // a symlink goes as the link, never what it points to
          if (st.isSymbolicLink()) t.links++;
          else {
            t.files++;
            t.bytes += Number(st.size);
          }
        }
      } catch (err) {
        if (err instanceof Changed || err instanceof OutOfTime) throw err;
        emptied = false;
        fail(entry, err);
      }
    }
    return emptied;
  };

  /** Empties and removes the folder `name` of stack[depth] (the working directory, and again after). */
  const clearSubdir = (
    /** @type {number} */ depth,
    /** @type {string} */ name,
    /** @type {string} */ entry,
    /** @type {import("node:fs").BigIntStats} */ st,
  ) => {
    if (st.dev !== stack[0].dev) {
      t.otherFs++;
      return false;
    }
    const frame = { name, path: entry, dev: st.dev, ino: st.ino };
    process.chdir(name); // follows a link swapped in since the lstat: isAt catches that
    stack.push(frame);
    let emptied;
    try {
      if (!isAt(frame)) throw new Changed(depth + 1);
      emptied = clearDir(depth + 1);
      backTo(depth);
    } catch (err) {
      if (!(err instanceof Changed) || err.level <= depth) throw err;
      abandon(entry);
      backTo(depth);
      return false;
    } finally {
      stack.pop();
    }
    if (!emptied) return false;
    if (cutoff !== undefined && st.mtimeMs > cutoff) {
      t.newer++;
      return false;
    }
    const now = lstatSync(name, { bigint: true });
    if (now.dev !== st.dev || now.ino !== st.ino) {
      abandon(entry); // emptied, but the name is something else now: leave that alone
      return false;
    }
    rmdirSync(name);
    t.dirs++;
    return true;
  };

  try {
    process.chdir(root);
    if (!isAt(stack[0])) throw new Changed(0);
    clearDir(0);
  } catch (err) {
    if (err instanceof Changed) {
      abandon(root);
      t.stopped = `${root} itself changed while being cleared (moved or replaced)`;
    } else if (err instanceof OutOfTime) t.stopped = "ran out of time";
    else t.stopped = message(err);
  }
  return t;
}

const [root, dev, ino, cutoff, deadline] = process.argv.slice(2);
process.stdout.write(
  `${JSON.stringify(
    clearCacheWalk(
      root,
      { dev: BigInt(dev), ino: BigInt(ino) },
      cutoff ? BigInt(cutoff) : undefined,
      Number(deadline),
    ),
  )}\n`,
);
