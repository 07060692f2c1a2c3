/**
 * A host as routes and bodies name it: by its id (hst_…) or by its name, which is unique within
 * its org. The one condition every lookup by either uses.
 */
import { and, eq, or } from "drizzle-orm";
import { hosts } from "../../db/schema";

/** The host whose id or name is `idOrName`; callers scope it to an org. */
export const hostIs = (idOrName: string) => or(eq(hosts.id, idOrName), eq(hosts.name, idOrName));

/** The org's host whose id or name is `idOrName`. */
export const hostRef = (orgId: string, idOrName: string) => and(eq(hosts.orgId, orgId), hostIs(idOrName));
