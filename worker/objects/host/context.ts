/**
 * The host's D1 rows a report needs (services/report/load.ts: the host, its org's config and
 * rules, unresolved issues, their attempts, in-flight commands), kept in the object between
 * reports and read again from D1 only when:
 * - this object wrote issues or commands (a report that changed something, a claim);
 * - something else did (HostObject.changed(): a command queued, an approval, the cron's sweep);
 * - the org's config or rules changed (HostObject.configChanged, told by the edit itself);
 * - REFRESH_MS has passed: a backstop for anything no writer announced (an org past the
 *   config fan-out's size, a row edited in D1 by hand).
 * The columns only the object moves (engine state, metrics, check outputs, services) come from
 * its storage (hot-state.ts) and override D1's.
 */

import type { Db } from "../../db/client";
import type { HostColumns } from "../../services/report/host-row";
import { type HostRow, loadReportContext, type ReportContext } from "../../services/report/load";
import type { HotState } from "./hot-state";

export const REFRESH_MS = 10 * 60_000;

export class ContextCache {
  private loaded: { ctx: ReportContext; at: number; d1Host: HostRow } | null = null;
  private isStale = true;
  private version = 0;

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
      // a change announced while this read was in flight may not be in it
      if (version === this.version) this.isStale = false;
    }
    const { ctx } = this.loaded;
    return {
      ...ctx,
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
    if (this.loaded) Object.assign(this.loaded.d1Host, set);
  }

  stale(): void {
    this.version++;
    this.isStale = true;
  }

  drop(): void {
    this.version++;
    this.loaded = null;
  }
}
