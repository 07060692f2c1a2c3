import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  renameSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CommandJournal } from "../../agent/src/actions/journal";
import { ActionRegistry } from "../../agent/src/actions/registry";
import { ServiceManager } from "../../agent/src/services";
import { ensureStateDir } from "../../agent/src/state-dir";
import { actionContext, cleanup, configFor, killAtCleanup, quietLog, tempDir } from "./support/helpers";

afterEach(cleanup);

let seq = 0;
const clear = (target: string) => ({
  id: `cache-${++seq}`,
  action: "clear_cache",
  target,
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
});

function setup(caches: unknown[]) {
  const config = configFor({ caches, actions: { clear_cache: true } });
  const paths = ensureStateDir(config.stateDir);
  return new ActionRegistry({
    journal: new CommandJournal(paths.journal),
    context: actionContext(config, new ServiceManager([], { log: quietLog }), paths),
  });
}

/** A file of `bytes` bytes, optionally aged by `ageSeconds`. */
function file(p: string, bytes: number, ageSeconds = 0) {
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, Buffer.alloc(bytes, 1));
  if (ageSeconds) {
    const t = new Date(Date.now() - ageSeconds * 1000);
    utimesSync(p, t, t);
  }
}

/**
 * node -e SWAPPER <dir> <away> <outside>: an attacker who can write inside the cache. Once files
 * start going from <dir>, it renames <dir> to <away> and puts a link to <outside> in its place,
 * holds that a few ms, puts <dir> back, and again, until told to stop; then it says how many
 * swaps it made.
 */
const SWAPPER = `
const fs = require("node:fs");
const [dir, away, outside] = process.argv.slice(1);
const first = fs.lstatSync(dir);
const hold = (ms) => { const end = Date.now() + ms; while (Date.now() < end); };
let swaps = 0;
let stop = false;
process.on("message", () => { stop = true; });
function tick() {
  if (stop) return process.send({ swaps }, () => process.exit(0));
  for (let i = 0; i < 100; i++) {
    try {
      const st = fs.lstatSync(dir);
      if (st.ino !== first.ino || st.mtimeMs === first.mtimeMs) continue; // not started yet
      fs.renameSync(dir, away);
      fs.symlinkSync(outside, dir);
      swaps++;
      hold(3);
      fs.unlinkSync(dir);
      fs.renameSync(away, dir);
      hold(1);
    } catch {}
  }
  setImmediate(tick);
}
process.send("ready");
tick();
`;

const WALKER = path.resolve(import.meta.dirname, "../../agent/src/actions/clear-cache-child.js");

describe("clear_cache", () => {
  it("empties the cache folder but keeps the folder, and reports the bytes freed", async () => {
    const cache = path.join(tempDir(), "cache");
    file(path.join(cache, "a.bin"), 1000);
    file(path.join(cache, "deep/er/b.bin"), 2500);
    const result = await setup([{ name: "app", path: cache }]).execute(clear("app"));
    expect(result).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(result?.output).toContain("freed 3500 bytes");
    expect(result?.output).toContain("removed 2 files, 0 symlinks, 2 folders");
    expect(existsSync(cache)).toBe(true);
    expect(readdirSync(cache)).toEqual([]);
  });

  it("removes a symlink inside as a link and never touches what it points to", async () => {
    const root = tempDir();
    const cache = path.join(root, "cache");
    const outside = path.join(root, "precious");
    file(path.join(outside, "keep.txt"), 4096);
    file(path.join(cache, "x.bin"), 10);
    symlinkSync(outside, path.join(cache, "to-dir"));
    symlinkSync(path.join(outside, "keep.txt"), path.join(cache, "to-file"));
    const result = await setup([{ name: "app", path: cache }]).execute(clear("app"));
    expect(result?.status).toBe("succeeded");
    expect(result?.output).toContain("freed 10 bytes");
    expect(result?.output).toContain("removed 1 files, 2 symlinks");
    expect(readdirSync(cache)).toEqual([]);
    expect(readdirSync(outside)).toEqual(["keep.txt"]);
  });

  it("refuses a cache path that is a symlink or resolves elsewhere, deleting nothing", async () => {
    const root = tempDir();
    const real = path.join(root, "etc-like");
    file(path.join(real, "passwd"), 100);
    symlinkSync(real, path.join(root, "cache"));
    mkdirSync(path.join(root, "sub"));
    symlinkSync(root, path.join(root, "sub", "up"));
    const registry = setup([
      { name: "link", path: path.join(root, "cache") },
      { name: "via", path: path.join(root, "sub", "up", "etc-like") },
    ]);
    const direct = await registry.execute(clear("link"));
    expect(direct).toMatchObject({ status: "failed", exitCode: null });
    expect(direct?.output).toContain("it is a symlink (configure the real path)");
    const via = await registry.execute(clear("via"));
    expect(via?.status).toBe("failed");
    expect(via?.output).toContain(`it resolves to ${real}`);
    expect(readdirSync(real)).toEqual(["passwd"]);
  });

  it("with maxAgeSeconds deletes only entries older than that", async () => {
    const cache = path.join(tempDir(), "cache");
    file(path.join(cache, "old.bin"), 300, 7200);
    file(path.join(cache, "new.bin"), 50);
    const result = await setup([{ name: "app", path: cache, maxAgeSeconds: 3600 }]).execute(clear("app"));
    expect(result?.output).toContain("freed 300 bytes");
    expect(result?.output).toContain("left 1 entries newer than 3600 s");
    expect(readdirSync(cache)).toEqual(["new.bin"]);
  });

  it("refuses a target that is not a configured cache, and a missing folder", async () => {
    const registry = setup([{ name: "app", path: path.join(tempDir(), "nope") }]);
    expect(await registry.execute(clear("/etc"))).toMatchObject({
      status: "refused",
      output: "unknown target /etc: not a cache in this agent's config",
    });
    const missing = await registry.execute(clear("app"));
    expect(missing?.status).toBe("failed");
    expect(missing?.output).toContain("ENOENT");
  });

  it("deletes nothing outside the cache while a subfolder is swapped for a link mid-way, and reports the branch it abandoned", async () => {
    const root = tempDir();
    const cache = path.join(root, "cache");
    const sub = path.join(cache, "a", "sub");
    const outside = path.join(root, "elsewhere");
    const N = 10_000;
    mkdirSync(sub, { recursive: true });
    mkdirSync(outside);
    for (let i = 0; i < N; i++) {
      writeFileSync(path.join(sub, `f${i}`), "cache");
      writeFileSync(path.join(outside, `f${i}`), "precious");
    }
    file(path.join(cache, "a", "beside.bin"), 10);
    file(path.join(cache, "z", "sibling.bin"), 10);
    const past = new Date(Date.now() - 3600_000);
    utimesSync(sub, past, past); // the swapper's sign that deletion began: sub's mtime moves

    // sub goes out of the cache altogether, so the walk cannot climb back from it by ".."
    const swapper = spawn(process.execPath, ["-e", SWAPPER, sub, path.join(root, "away"), outside], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    killAtCleanup(swapper.pid);
    await once(swapper, "message");
    const result = await setup([{ name: "app", path: cache }]).execute(clear("app"));
    swapper.send("stop");
    const [{ swaps }] = (await once(swapper, "message")) as [{ swaps: number }];

    expect(swaps).toBeGreaterThan(0); // the race really happened while the action ran
    expect(readdirSync(outside).length).toBe(N);
    expect(result?.status).toBe("failed");
    expect(result?.output).toContain(`abandoned 1 folders that changed while being cleared`);
    expect(result?.output).toContain(`: ${sub}`);
    // deletion had begun in the real sub and stopped there when it moved; the rest went
    const left = readdirSync(sub).length;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(N);
    expect(readdirSync(cache)).toEqual(["a"]);
    expect(readdirSync(path.join(cache, "a"))).toEqual(["sub"]);
  }, 60_000);

  it("the walk deletes nothing when the folder it was handed has been swapped for a link since it was checked", async () => {
    const root = tempDir();
    const cache = path.join(root, "cache");
    const outside = path.join(root, "elsewhere");
    file(path.join(cache, "a.bin"), 10);
    file(path.join(outside, "keep.txt"), 10);
    const checked = lstatSync(cache, { bigint: true });
    renameSync(cache, path.join(root, "moved"));
    symlinkSync(outside, cache);
    const deadline = String(Date.now() + 60_000);
    const argv = [WALKER, cache, String(checked.dev), String(checked.ino), "", deadline];
    const tally = JSON.parse(execFileSync(process.execPath, argv, { encoding: "utf8" }));
    expect(tally).toMatchObject({ files: 0, dirs: 0, abandonedCount: 1 });
    expect(tally.stopped).toBe(`${cache} itself changed while being cleared (moved or replaced)`);
    expect(readdirSync(outside)).toEqual(["keep.txt"]);
  });
});
