/** PATCH /api/v1/hosts/{id} {"group"}: the group rolling recovery and channel filters go by. */
import { and, eq, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { hosts } from "../db/schema";
import { notFound } from "../lib/errors";
import { getHost } from "./hosts";

export async function setHostGroup(db: Db, orgId: string, idOrName: string, group: string | null) {
  const updated = await db
    .update(hosts)
    .set({ group })
    .where(and(eq(hosts.orgId, orgId), or(eq(hosts.id, idOrName), eq(hosts.name, idOrName))))
    .returning({ id: hosts.id });
  if (updated.length === 0) throw notFound("host");
  return getHost(db, orgId, updated[0].id);
}
