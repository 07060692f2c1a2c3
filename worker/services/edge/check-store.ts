/** Edge checks of one org: create, list, delete (the cron runs them: ./run-checks.ts). */
import { and, asc, eq } from "drizzle-orm";
import type { z } from "zod";
import { type Db, runBatch } from "../../db/client";
import { edgeChecks } from "../../db/schema";
import { notFound } from "../../lib/errors";
import { randomBase62 } from "../../lib/ids";
import { iso, isoOrNull } from "../../lib/time";
import type { NewEdgeCheckSchema } from "../../schemas/edge-checks";
import { audit, auditIf } from "../tenancy/audit";

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
  const record = audit(db, orgId, "edge_check.create", row.id, `edge check of ${input.url.split("?")[0]}`);
  await runBatch(db, [db.insert(edgeChecks).values(row), record]);
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
  const where = and(eq(edgeChecks.id, id), eq(edgeChecks.orgId, orgId));
  const found = db.select({ id: edgeChecks.id }).from(edgeChecks).where(where);
  const [, gone] = await runBatch(db, [
    auditIf(found, orgId, "edge_check.delete", id, `edge check ${id} deleted`),
    db.delete(edgeChecks).where(where),
  ]);
  if (gone.meta.changes === 0) throw notFound("edge check");
  return { id, deleted: true as const };
}
