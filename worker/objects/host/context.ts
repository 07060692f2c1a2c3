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

export const REFRESH_MS = 10 * 60_000;

const KEY = "context";
const STALE_KEY = "context-stale";

interface Loaded {
  ctx: ReportContext;
  at: number;
  d1Host: HostRow;
}

export class ContextCache {
  private loaded: Loaded | null;
  private isStale: boolean;
  private version = 0;
  /** Built from the loaded config and rules once, not per report (memory only). */
  private rules: Rule[] | null = null;

  constructor(private readonly storage: DurableObjectStorage) {
    this.loaded = storage.kv.get<Loaded>(KEY) ?? null;
    this.isStale = !this.loaded || storage.kv.get<boolean>(STALE_KEY) === true;
  }

  /** A working copy of the context (the pipeline changes it in place), read from D1 when due. */
  async context(
    db: Db,
    orgId: string,
    hostId: string,
    now: number,
    hot: HotState | null,
  ): Promise<ReportContext> {
    if (!this.loaded || this.isStale || now - this.loaded.at >= REFRESH_MS) {
      const version = this.version;
      const ctx = await loadReportContext(db, orgId, hostId);
      this.loaded = { ctx, at: now, d1Host: { ...ctx.host } };
      this.rules = null;
      // a change announced while this read was in flight may not be in it
      if (version === this.version) this.isStale = false;
      this.storage.kv.put(KEY, this.loaded);
      this.storage.kv.put(STALE_KEY, this.isStale);
    }
    const { ctx } = this.loaded;
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
    return this.loaded?.d1Host ?? null;
  }

  summaryWritten(set: Partial<HostColumns>): void {
    if (!this.loaded) return;
    Object.assign(this.loaded.d1Host, set);
    this.storage.kv.put(KEY, this.loaded);
  }

  stale(): void {
    this.version++;
    if (this.isStale) return;
    this.isStale = true;
    this.storage.kv.put(STALE_KEY, true);
  }

  drop(): void {
    this.version++;
    this.loaded = null;
    this.rules = null;
    this.isStale = true;
    this.storage.kv.delete(KEY);
  }
}
