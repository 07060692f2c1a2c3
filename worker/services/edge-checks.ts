/** Edge checks of one org: create, list, delete (the cron runs them: ./edge.ts). */
import { and, asc, eq } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "../db/client";
import { edgeChecks } from "../db/schema";
import { notFound } from "../lib/errors";
import { randomBase62 } from "../lib/ids";
import { iso, isoOrNull } from "../lib/time";
import type { NewEdgeCheckSchema } from "../schemas/edge-checks";

type CheckRow = typeof edgeChecks.$inferSelect;

export function checkView(c: CheckRow) {
  return {
    id: c.id,
    url: c.url,
    expectStatus: c.expectStatus,
    timeoutMs: c.timeoutMs,
    severity: c.severity,
    createdAt: iso(c.createdAt),
    lastCheckedAt: isoOrNull(c.lastCheckedAt),
    lastOk: c.lastOk,
    lastStatus: c.lastStatus,
    lastLatencyMs: c.lastLatencyMs,
    lastError: c.lastError,
  };
}

export async function createEdgeCheck(db: Db, orgId: string, input: z.infer<typeof NewEdgeCheckSchema>) {
  const row: CheckRow = {
    id: `edg_${randomBase62(20)}`,
    orgId,
    ...input,
    createdAt: Date.now(),
    lastCheckedAt: null,
    lastOk: null,
    lastStatus: null,
    lastLatencyMs: null,
    lastError: null,
  };
  await db.insert(edgeChecks).values(row);
  return checkView(row);
}

export async function listEdgeChecks(db: Db, orgId: string) {
  const rows = await db
    .select()
    .from(edgeChecks)
    .where(eq(edgeChecks.orgId, orgId))
    .orderBy(asc(edgeChecks.url));
  return rows.map(checkView);
}

export async function deleteEdgeCheck(db: Db, orgId: string, id: string) {
  const [row] = await db
    .delete(edgeChecks)
    .where(and(eq(edgeChecks.id, id), eq(edgeChecks.orgId, orgId)))
    .returning({ id: edgeChecks.id });
  if (!row) throw notFound("edge check");
  return { id: row.id, deleted: true as const };
}
