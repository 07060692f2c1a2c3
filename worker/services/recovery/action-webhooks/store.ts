/** The org's action webhooks (`webhook:<name>` rule actions): set, list (secrets masked), delete. */
import { and, asc, eq } from "drizzle-orm";
import { type Db, runBatch } from "../../../db/client";
import { actionWebhooks } from "../../../db/schema";
import { notFound } from "../../../lib/errors";
import { iso } from "../../../lib/time";
import { audit, auditIf } from "../../tenancy/audit";

type Row = typeof actionWebhooks.$inferSelect;
export interface HookInput {
  url: string;
  secret?: string | null;
  timeoutMs?: number;
}

const view = (r: Row) => ({
  name: r.name,
  action: `webhook:${r.name}`,
  url: r.url,
  hasSecret: Boolean(r.secret),
  timeoutMs: r.timeoutMs,
  updatedAt: iso(r.updatedAt),
});

export async function putHook(db: Db, orgId: string, name: string, input: HookInput) {
  const now = Date.now();
  const values = { url: input.url, secret: input.secret ?? null, timeoutMs: input.timeoutMs ?? 10_000 };
  await runBatch(db, [
    db
      .insert(actionWebhooks)
      .values({ orgId, name, ...values, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: [actionWebhooks.orgId, actionWebhooks.name],
        set: { ...values, updatedAt: now },
      }),
    audit(db, orgId, "webhook.put", name, `action webhook "${name}" set`),
  ]);
  return view({ ...values, orgId, name, createdAt: now, updatedAt: now });
}

export async function listHooks(db: Db, orgId: string) {
  const rows = await db
    .select()
    .from(actionWebhooks)
    .where(eq(actionWebhooks.orgId, orgId))
    .orderBy(asc(actionWebhooks.name));
  return rows.map(view);
}

export async function deleteHook(db: Db, orgId: string, name: string) {
  const where = and(eq(actionWebhooks.orgId, orgId), eq(actionWebhooks.name, name));
  const found = db.select({ name: actionWebhooks.name }).from(actionWebhooks).where(where);
  const [, gone] = await runBatch(db, [
    auditIf(found, orgId, "webhook.delete", name, `action webhook "${name}" deleted`),
    db.delete(actionWebhooks).where(where),
  ]);
  if (gone.meta.changes === 0) throw notFound("action webhook");
}

/** The names a rule's actions may use bare (the seed's way: `scale_resources`). */
export async function actionWebhookNames(db: Db, orgId: string): Promise<Set<string>> {
  const rows = await db
    .select({ name: actionWebhooks.name })
    .from(actionWebhooks)
    .where(eq(actionWebhooks.orgId, orgId));
  return new Set(rows.map((r) => r.name));
}
