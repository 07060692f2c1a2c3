/**
 * The configured caches as the edge's target selectors need them (sent as the report's `caches`):
 * the mount holding each, that mount's type, and the space it takes (du's: allocated blocks).
 * The walk never follows a link, stays on the cache's filesystem, and stops after MAX_ENTRIES
 * entries (the size is then a lower bound): it runs every `everyMs`, not with every sample.
 */
import { lstat, opendir } from "node:fs/promises";
import path from "node:path";
import type { CacheFactWire } from "../../protocol";
import type { CacheConfig } from "../config/recovery";
import { metricForMount, mountOf } from "./disk";
import { type ProcReader, readProc } from "./procfs";
import type { Collector } from "./types";

const MAX_ENTRIES = 100_000;
const EVERY_MS = 30_000;

/** Bytes allocated under `root` (itself excluded), at most `maxEntries` entries looked at. */
export async function diskBytes(root: string, maxEntries = MAX_ENTRIES): Promise<number> {
  const top = await lstat(root);
  if (!top.isDirectory()) return 0;
  let bytes = 0;
  let seen = 0;
  const stack = [root];
  while (stack.length && seen < maxEntries) {
    const dir = stack.pop() as string;
    let handle: Awaited<ReturnType<typeof opendir>>;
    try {
      handle = await opendir(dir);
    } catch {
      continue; // removed or unreadable while we looked
    }
    for await (const entry of handle) {
      if (++seen > maxEntries) break;
      const full = path.join(dir, entry.name);
      try {
        const st = await lstat(full);
        if (st.dev !== top.dev) continue; // another filesystem mounted inside
        bytes += st.blocks * 512;
        if (st.isDirectory()) stack.push(full);
      } catch {
        // gone already
      }
    }
  }
  return bytes;
}

export interface CachesCollector extends Collector {
  /** The latest facts; sizes are absent until the first walk. */
  facts(): CacheFactWire[];
}

export function cachesCollector(
  caches: CacheConfig[],
  read: ProcReader = readProc,
  everyMs = EVERY_MS,
): CachesCollector {
  const located = () =>
    caches.flatMap((c): CacheFactWire[] => {
      const m = mountOf(path.resolve(c.path), read);
      if (!m) return [];
      return [{ name: c.name, mount: metricForMount(m.path).slice("disk:".length), fsType: m.type }];
    });
  let latest = located();
  return {
    name: "caches",
    everyMs,
    async collect() {
      const next = located();
      await Promise.all(
        next.map(async (fact) => {
          const cache = caches.find((c) => c.name === fact.name) as CacheConfig;
          fact.bytes = await diskBytes(path.resolve(cache.path)).catch(() => undefined);
          if (fact.bytes === undefined) delete fact.bytes;
        }),
      );
      latest = next;
      return {};
    },
    facts: () => latest,
  };
}
