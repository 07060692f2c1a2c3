/**
 * The audit log: append-only rows saying who changed what, when, and how it ended.
 * Services add `audit(...)` to the same runBatch as the change, so a change and its record are
 * written together or not at all. Who is acting comes from the request (set once by the auth
 * middleware), so services need no new parameter; outside a request the actor is the system.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { and, desc, eq, gte, lt, lte, or, type SQL } from "drizzle-orm";
import type { Db, RawStatement, Statement } from "../../db/client";
import { auditLog } from "../../db/schema";
import type { Principal } from "../../env";
import { randomBase62 } from "../../lib/ids";
import { iso } from "../../lib/time";

export interface Actor {
  tokenId: string | null;
  /** The person acting (a session's user, or the owner of the token used). */
  userId?: string | null;
  name: string;
  scope: string;
}

const SYSTEM: Actor = { tokenId: null, userId: null, name: "system", scope: "system" };
const acting = new AsyncLocalStorage<Actor>();

export const actorOf = (p: Principal): Actor => ({
  tokenId: p.tokenId,
  userId: p.userId ?? null,
  name: p.name,
  scope: p.platform ? "platform" : p.scope,
});

/** Runs `fn` (the rest of the request) with `actor` as the one audit entries name. */
export const runAs = <T>(actor: Actor, fn: () => T): T => acting.run(actor, fn);

export const currentActor = (): Actor => acting.getStore() ?? SYSTEM;

/**
 * The insert recording one event. `action` is `<target type>.<verb>` (e.g. `token.revoke`);
 * `result` is "ok" unless the change was refused or failed.
 */
function entry(
  orgId: string,
  action: string,
  targetId: string | null,
  summary: string,
  result: string,
  now: number,
) {
  const actor = currentActor();
  return {
    id: `aud_${randomBase62(20)}`,
    orgId,
    at: now,
    actorTokenId: actor.tokenId,
    actorUserId: actor.userId ?? null,
    actorName: actor.name.slice(0, 128),
    actorScope: actor.scope,
    action,
    targetType: action.split(".")[0],
    targetId,
    summary: summary.slice(0, 500),
    result,
  };
}

export function audit(
  db: Db,
  orgId: string,
  action: string,
  targetId: string | null,
  summary: string,
  result = "ok",
  now = Date.now(),
): Statement {
  return db.insert(auditLog).values(entry(orgId, action, targetId, summary, result, now));
}

export interface AuditQuery {
  action?: string;
  targetId?: string;
  actorTokenId?: string;
  actorUserId?: string;
  from?: number;
  to?: number;
  limit: number;
  /** `<at>.<id>` of the last entry of the previous page. */
  cursor?: string;
}

/** Newest first; `nextCursor` is null on the last page. */
export async function listAudit(db: Db, orgId: string, q: AuditQuery) {
  const where: (SQL | undefined)[] = [eq(auditLog.orgId, orgId)];
  if (q.action) {
    // "token" matches every token.* action; "token.create" only that one.
    where.push(q.action.includes(".") ? eq(auditLog.action, q.action) : eq(auditLog.targetType, q.action));
  }
  if (q.targetId) where.push(eq(auditLog.targetId, q.targetId));
  if (q.actorTokenId) where.push(eq(auditLog.actorTokenId, q.actorTokenId));
  if (q.actorUserId) where.push(eq(auditLog.actorUserId, q.actorUserId));
  if (q.from !== undefined) where.push(gte(auditLog.at, q.from));
  if (q.to !== undefined) where.push(lte(auditLog.at, q.to));
  if (q.cursor) {
    const [at, id] = splitCursor(q.cursor);
    where.push(or(lt(auditLog.at, at), and(eq(auditLog.at, at), lt(auditLog.id, id))));
  }
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id,
      at: iso(r.at),
      actor: { tokenId: r.actorTokenId, userId: r.actorUserId, name: r.actorName, scope: r.actorScope },
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      summary: r.summary,
      result: r.result,
    })),
    nextCursor: rows.length > q.limit && last ? `${last.at}.${last.id}` : null,
  };
}

export const CURSOR_PATTERN = /^\d{1,15}\.aud_[0-9A-Za-z]{20}$/;

function splitCursor(cursor: string): [number, string] {
  const dot = cursor.indexOf(".");
  return [Number(cursor.slice(0, dot)), cursor.slice(dot + 1)];
}

/**
 * The same record, written only if `exists` finds a row when the batch runs: put it before a
 * delete in the batch, so a delete that finds nothing records nothing.
 */
export function auditIf(
  exists: { toSQL(): { sql: string; params: unknown[] } },
  orgId: string,
  action: string,
  targetId: string | null,
  summary: string,
): RawStatement {
  const e = entry(orgId, action, targetId, summary, "ok", Date.now());
  const guard = exists.toSQL();
  return {
    raw: `INSERT INTO audit_log (id, org_id, at, actor_token_id, actor_user_id, actor_name, actor_scope, action, target_type, target_id, summary, result)
      SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (${guard.sql})`,
    params: [
      ...[
        e.id,
        e.orgId,
        e.at,
        e.actorTokenId,
        e.actorUserId,
        e.actorName,
        e.actorScope,
        e.action,
        e.targetType,
      ],
      ...[e.targetId, e.summary, e.result, ...guard.params],
    ],
  };
}
