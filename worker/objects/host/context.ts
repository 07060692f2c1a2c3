/**
 * The host's D1 rows a report needs (services/ingest/report/load.ts: the host, its org's config and
 * rules, unresolved issues, their attempts, in-flight commands), kept in the object between
 * reports and read again from D1 only when:
 * - this object wrote issues or commands (a report that changed something, a claim);
 * - something else did (HostObject.changed(): a command queued, an approval, the cron's sweep);
 * - the org's config or rules changed (HostObject.configChanged, told by the edit itself);
 * - REFRESH_MS has passed: a backstop for anything no writer announced (an org past the
 *   config fan-out's size, a row edited in D1 by hand).
 * The columns only the object moves (engine state, metrics, check outputs, services) come from
 * its storage (hot-state.ts) and override D1's.
 *
 * The copy is kept in the object's storage as well as in memory: an object evicted between two
 * reports (idle for a while, or hibernating with its agent's socket open) reads it back from its
 * own SQLite, not from D1, so a steady report stays off D1 however long the host's interval. A
 * change announced to the object marks the stored copy stale before the call returns.
 */

import type { Rule } from "../../../agent/engine";
import type { Db } from "../../db/client";
import type { HostColumns } from "../../services/ingest/report/host-row";
import { type HostRow, loadReportContext, type ReportContext } from "../../services/ingest/report/load";
import { adaptiveConfig } from "../../services/rules/adaptive-thresholds";
import { rulesFor } from "../../services/rules/effective";
import type { HotState } from "./hot-state";
import type { KvReader } from "./start-read";

export const REFRESH_MS = 10 * 60_000;

const KEY = "context";
const STALE_KEY = "context-stale";
/**
 * D1's host row apart from the rest: the alarm reads and rewrites it with each summary (once a
 * minute), which then costs that small row, not the whole copy.
 */
const D1_HOST_KEY = "context-d1-host";

interface Loaded {
  ctx: ReportContext;
  at: number;
}

export class ContextCache {
  /** undefined: not read from storage yet (the copy is read when a caller needs it, not when the object starts). */
  private loaded: Loaded | null | undefined;
  private d1: HostRow | null | undefined;
  private isStale: boolean | undefined;
  private version = 0;
  /** Built from the loaded config and rules once, not per report (memory only). */
  private rules: Rule[] | null = null;

  /** `first`: where each key is read the first time (the object's start read), then kept in memory. */
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly first: KvReader = storage.kv,
  ) {}

  private stored(): Loaded | null {
    // a copy without its D1 host row (kept by an older version) is read from D1 again
    if (this.loaded === undefined) this.loaded = this.storedD1Host() && (this.first.get<Loaded>(KEY) ?? null);
    return this.loaded;
  }

  private storedD1Host(): HostRow | null {
    if (this.d1 === undefined) this.d1 = this.first.get<HostRow>(D1_HOST_KEY) ?? null;
    return this.d1;
  }

  private storedStale(): boolean {
    this.isStale ??= this.first.get<boolean>(STALE_KEY) === true;
    return this.isStale;
  }

  /** A working copy of the context (the pipeline changes it in place), read from D1 when due. */
  async context(
    db: Db,
    orgId: string,
    hostId: string,
    now: number,
    hot: HotState | null,
  ): Promise<ReportContext> {
    let loaded = this.stored();
    if (!loaded || this.storedStale() || now - loaded.at >= REFRESH_MS) {
      const version = this.version;
      const ctx = await loadReportContext(db, orgId, hostId);
      loaded = { ctx, at: now };
      this.loaded = loaded;
      this.d1 = { ...ctx.host };
      this.rules = null;
      // a change announced while this read was in flight may not be in it
      if (version === this.version) this.isStale = false;
      this.storage.kv.put(KEY, loaded);
      this.storage.kv.put(D1_HOST_KEY, this.d1);
      this.storage.kv.put(STALE_KEY, this.isStale);
    }
    const { ctx } = loaded;
    // auto mode's thresholds follow the engine's baselines, which live here, not in D1
    this.rules ??= rulesFor(adaptiveConfig(ctx.config, hot?.host.engineState), ctx.customRules);
    return {
      ...ctx,
      rules: this.rules,
      host: { ...ctx.host, ...(hot?.host ?? {}) },
      attempts: ctx.attempts.map((a) => ({ ...a })),
      services: hot?.services ?? ctx.services,
    };
  }

  /** The host row as D1 holds it (for the summary's update of only what differs). */
  get d1Host(): HostRow | null {
    return this.storedD1Host();
  }

  summaryWritten(set: Partial<HostColumns>): void {
    const d1 = this.storedD1Host();
    if (!d1) return;
    Object.assign(d1, set);
    this.storage.kv.put(D1_HOST_KEY, d1);
  }

  stale(): void {
    this.version++;
    if (this.storedStale()) return;
    this.isStale = true;
    this.storage.kv.put(STALE_KEY, true);
  }

  drop(): void {
    this.version++;
    this.loaded = null;
    this.d1 = null;
    this.rules = null;
    this.isStale = true;
    this.storage.kv.delete(KEY);
    this.storage.kv.delete(D1_HOST_KEY);
  }
}
