import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cacheFactSchema } from "../../agent/protocol";
import { cachesCollector, diskBytes } from "../../agent/src/collectors/caches";
import { diskCollector, mountOf } from "../../agent/src/collectors/disk";

// /dev/shm is a tmpfs on every mainstream Linux: the disk collector skips tmpfs unless a cache is on it.
const shmCache = mkdtempSync("/dev/shm/selfheal-cache-");
afterAll(() => rmSync(shmCache, { recursive: true, force: true }));

const MOUNTS = [
  "/dev/sda1 / ext4 rw,relatime 0 0",
  "tmpfs /run tmpfs rw,nosuid 0 0",
  "/dev/sdb1 /var/cache ext4 rw 0 0",
  "/dev/sdc1 /var/cache/big\\040files xfs rw 0 0",
  "tmpfs /run tmpfs rw 0 0",
].join("\n");
const fakeMounts = (file: string) => {
  if (file !== "/proc/mounts") throw new Error(`ENOENT ${file}`);
  return MOUNTS;
};

describe("the mount holding a cache", () => {
  it("is the longest mount point above it, of any type, octal escapes decoded", () => {
    expect(mountOf("/var/cache/thumbs", fakeMounts)).toMatchObject({ path: "/var/cache", type: "ext4" });
    expect(mountOf("/var/cache/big files/x", fakeMounts)).toMatchObject({ path: "/var/cache/big files" });
    expect(mountOf("/run/app/sessions", fakeMounts)).toMatchObject({ path: "/run", type: "tmpfs" });
    expect(mountOf("/srv/www", fakeMounts)).toMatchObject({ path: "/", type: "ext4" });
    expect(mountOf("/var/cachet", fakeMounts)).toMatchObject({ path: "/" });
  });

  it("is measured by the disk collector even on tmpfs, and only when it holds a cache", async () => {
    const without = await diskCollector().collect();
    expect(without["disk:/dev/shm"]).toBeUndefined();
    const withCache = await diskCollector(undefined, [shmCache]).collect();
    expect(withCache["disk:/dev/shm"]).toBeGreaterThanOrEqual(0);
    expect(withCache.disk).toBeGreaterThanOrEqual(withCache["disk:/dev/shm"]);
  });
});

describe("the caches a report carries", () => {
  it("name each cache's mount, its type and the space it takes, in the protocol's shape", async () => {
    writeFileSync(path.join(shmCache, "a.bin"), Buffer.alloc(256 * 1024, 1));
    const collector = cachesCollector([{ name: "sessions", path: shmCache }]);
    expect(collector.facts()).toEqual([{ name: "sessions", mount: "/dev/shm", fsType: "tmpfs" }]);
    await collector.collect();
    const [fact] = collector.facts();
    expect(fact.bytes).toBeGreaterThanOrEqual(256 * 1024);
    expect(cacheFactSchema.safeParse(fact).success).toBe(true);
  });

  it("count the allocated space of a tree without following links, and stop at the entry limit", async () => {
    const dir = mkdtempSync(path.join(shmCache, "tree-"));
    for (let i = 0; i < 5; i++) writeFileSync(path.join(dir, `f${i}`), Buffer.alloc(8192, 1));
    const all = await diskBytes(dir);
    expect(all).toBeGreaterThanOrEqual(5 * 8192);
    expect(await diskBytes(dir, 2)).toBeLessThan(all);
  });
});
