/**
 * Maintenance windows and silences: while one is in force for a host (by id or name),
 * a group or a rule, detection goes on but the recovery planner queues nothing for matching
 * issues and their notifications are held (dropped, as a silence does).
 */
import { and, desc, eq, gt, inArray, lte } from "drizzle-orm";
import { type Db, runBatch } from "../../db/client";
import { hosts, maintenanceWindows } from "../../db/schema";
import { ApiError, notFound } from "../../lib/errors";
import { randomBase62 } from "../../lib/ids";
import { iso } from "../../lib/time";
import { hostRef } from "../fleet/host-ref";
import { audit, auditIf } from "../tenancy/audit";
import { maintenanceHold, type WindowRow } from "./guardrails";

export interface WindowInput {
  host?: string;
  group?: string;
  rule?: string;
  startsAt?: string;
  endsAt: string;
  reason: string;
}

export function windowView(w: WindowRow) {
  return {
    id: w.id,
    hostId: w.hostId,
    group: w.hostGroup,
    rule: w.ruleId,
    startsAt: iso(w.startsAt),
    endsAt: iso(w.endsAt),
    reason: w.reason,
    createdAt: iso(w.createdAt),
  };
}

export async function createWindow(db: Db, orgId: string, input: WindowInput) {
  const now = Date.now();
  const startsAt = input.startsAt ? Date.parse(input.startsAt) : now;
  const endsAt = Date.parse(input.endsAt);
  if (!(endsAt > startsAt)) throw new ApiError("BAD_REQUEST", "endsAt must be after startsAt");
  let hostId: string | null = null;
  if (input.host) {
    const [host] = await db.select({ id: hosts.id }).from(hosts).where(hostRef(orgId, input.host));
    if (!host) throw notFound("host");
    hostId = host.id;
  }
  const row: WindowRow = {
    id: `mnt_${randomBase62(20)}`,
    orgId,
    hostId,
    hostGroup: input.group ?? null,
    ruleId: input.rule ?? null,
    startsAt,
    endsAt,
    reason: input.reason,
    createdAt: now,
  };
  const scope = input.host ?? input.group ?? "every host";
  const record = audit(db, orgId, "maintenance.create", row.id, `window for ${scope}: ${input.reason}`);
  await runBatch(db, [db.insert(maintenanceWindows).values(row), record]);
  return windowView(row);
}

/** Windows not yet over, newest first. */
export async function listWindows(db: Db, orgId: string) {
  const rows = await db
    .select()
    .from(maintenanceWindows)
    .where(and(eq(maintenanceWindows.orgId, orgId), gt(maintenanceWindows.endsAt, Date.now())))
    .orderBy(desc(maintenanceWindows.createdAt))
    .limit(500);
  return rows.map(windowView);
}

export async function deleteWindow(db: Db, orgId: string, id: string) {
  const where = and(eq(maintenanceWindows.id, id), eq(maintenanceWindows.orgId, orgId));
  const found = db.select({ id: maintenanceWindows.id }).from(maintenanceWindows).where(where);
  const [, gone] = await runBatch(db, [
    auditIf(found, orgId, "maintenance.delete", id, `window ${id} deleted`),
    db.delete(maintenanceWindows).where(where),
  ]);
  if (gone.meta.changes === 0) throw notFound("maintenance window");
}

/** Windows in force now for these orgs (the notification fan-out runs across orgs). */
export function windowsInForce(db: Db, orgIds: string[], now: number) {
  return db
    .select()
    .from(maintenanceWindows)
    .where(
      and(
        inArray(maintenanceWindows.orgId, orgIds),
        lte(maintenanceWindows.startsAt, now),
        gt(maintenanceWindows.endsAt, now),
      ),
    );
}

export function silenced(
  windows: WindowRow[],
  orgId: string,
  host: { id: string; group: string | null },
  ruleId: string,
): boolean {
  return (
    maintenanceHold(
      windows.filter((w) => w.orgId === orgId),
      host,
      ruleId,
    ) !== null
  );
}
