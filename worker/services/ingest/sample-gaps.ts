/**
 * Gaps: samples an agent dropped at its spool's size cap during an outage. Recorded with
 * the report that carries them, read back per host; a re-sent report widens a gap, never doubles it.
 */
import { and, desc, eq } from "drizzle-orm";
import type { Gap } from "../../../agent/protocol";
import type { Db, Statement } from "../../db/client";
import { hosts, sampleGaps } from "../../db/schema";
import { notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { hostRef } from "../fleet/host-ref";

const UPSERT_GAPS = `INSERT INTO sample_gaps (org_id, host_id, from_ts, to_ts, samples, results, reported_at)
  SELECT ?, ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
    json_extract(value, '$[3]'), ? FROM json_each(?) WHERE true
  ON CONFLICT (host_id, from_ts) DO UPDATE SET
    to_ts = max(sample_gaps.to_ts, excluded.to_ts),
    samples = max(sample_gaps.samples, excluded.samples),
    results = max(sample_gaps.results, excluded.results)`;

/** One statement however many gaps (bound parameters stay at 4). */
export function gapStatements(
  orgId: string,
  hostId: string,
  gaps: Gap[] | undefined,
  now: number,
): Statement[] {
  if (!gaps?.length) return [];
  const rows = gaps.map((g) => [Date.parse(g.from), Date.parse(g.to), g.samples, g.results ?? 0]);
  return [{ raw: UPSERT_GAPS, params: [orgId, hostId, now, JSON.stringify(rows)] }];
}

export async function listGaps(db: Db, orgId: string, idOrName: string) {
  const [host] = await db.select({ id: hosts.id }).from(hosts).where(hostRef(orgId, idOrName)).limit(1);
  if (!host) throw notFound("host");
  const rows = await db
    .select()
    .from(sampleGaps)
    .where(and(eq(sampleGaps.orgId, orgId), eq(sampleGaps.hostId, host.id)))
    .orderBy(desc(sampleGaps.fromTs))
    .limit(500);
  return rows.map((r) => ({
    from: iso(r.fromTs),
    to: iso(r.toTs),
    samples: r.samples,
    results: r.results,
    reportedAt: iso(r.reportedAt),
  }));
}
