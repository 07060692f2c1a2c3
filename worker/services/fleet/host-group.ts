import { type Db, runBatch } from "../../db/client";
import { hosts } from "../../db/schema";
import type { Env } from "../../env";
import { notFound } from "../../lib/errors";
import { auditIf } from "../tenancy/audit";
import { hostRef } from "./host-ref";
import { getHost } from "./hosts";

export async function setHostGroup(
  db: Db,
  env: Pick<Env, "HOST">,
  orgId: string,
  idOrName: string,
  group: string | null,
) {
  const where = hostRef(orgId, idOrName);
  const found = db.select({ id: hosts.id }).from(hosts).where(where);
  const [, updated] = await runBatch(db, [
    auditIf(found, orgId, "host.group", idOrName, `group of ${idOrName} set to ${group ?? "none"}`),
    db.update(hosts).set({ group }).where(where).returning({ id: hosts.id }),
  ]);
  const [row] = updated.results as { id: string }[];
  if (!row) throw notFound("host");
  return getHost(db, env, orgId, row.id);
}
