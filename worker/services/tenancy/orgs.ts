/** Orgs: created by the platform admin, each with a first admin token shown once. */
import { desc } from "drizzle-orm";
import { type Db, runBatch } from "../../db/client";
import { orgs } from "../../db/schema";
import { newId } from "../../lib/ids";
import { iso } from "../../lib/time";
import { audit } from "./audit";
import { mintToken } from "./tokens";

export async function createOrg(db: Db, name: string) {
  const now = Date.now();
  const id = newId("org");
  const { token, insert } = await mintToken(db, { orgId: id, scope: "admin", name: "first admin", now });
  await runBatch(db, [
    db.insert(orgs).values({ id, name, createdAt: now }),
    insert,
    audit(db, id, "org.create", id, `org "${name}" created`, "ok", now),
    audit(db, id, "token.create", token.id, `admin token "first admin" for org "${name}"`, "ok", now),
  ]);
  return { org: { id, name, createdAt: iso(now) }, adminToken: token };
}

/** Every org: only the platform admin, who belongs to none, can call this. */
export async function listOrgs(db: Db) {
  const rows = await db.select().from(orgs).orderBy(desc(orgs.createdAt)).limit(1000);
  return rows.map((o) => ({ id: o.id, name: o.name, createdAt: iso(o.createdAt) }));
}
