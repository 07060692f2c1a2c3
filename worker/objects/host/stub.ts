/**
 * The Worker's side of the host objects: the stub of a host's object, its answers turned back
 * into API errors, and the wake-up every writer of a host's commands or issues sends after its
 * D1 batch (so a waiting agent gets a queued command at once and the object's copy is fresh).
 */
import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { D1Meter, Db } from "../../db/client";
import { tokens } from "../../db/schema";
import type { Env } from "../../env";
import { ApiError } from "../../lib/errors";
import type { Outcome } from ".";
import type { HandedCommand } from "./delivery";

export const hostObject = (env: Pick<Env, "HOST">, hostId: string) =>
  env.HOST.get(env.HOST.idFromName(hostId));

/** The value of an object's answer (its D1 figures added to the request's meter), or its API error. */
export function unwrap<T>(outcome: Outcome<T>, meter?: D1Meter): T {
  if (meter) {
    meter.calls += outcome.meter.calls;
    meter.ms += outcome.meter.ms;
    meter.rowsRead += outcome.meter.rowsRead;
    meter.rowsWritten += outcome.meter.rowsWritten;
  }
  if (!outcome.ok) throw new ApiError(outcome.code, outcome.message, outcome.issues);
  return outcome.value;
}

/**
 * Tells these hosts' objects that their commands or issues changed in D1, handing each the
 * commands just queued for it (`queued`, as written): an agent waiting on its object gets them at
 * once, without a claim in D1 first (objects/host/delivery.ts). Resolves once the delivery of what
 * was handed is recorded in D1.
 */
export async function wakeHosts(
  env: Pick<Env, "HOST">,
  hostIds: Iterable<string | null | undefined>,
  queued: readonly HandedCommand[] = [],
): Promise<void> {
  const ids = new Set([...hostIds].filter((id): id is string => Boolean(id)));
  await Promise.all(
    [...ids].map((id) => hostObject(env, id).changed(queued.filter((c) => c.hostId === id).map(handed))),
  );
}

/** Only what the object needs of a queued command crosses the RPC (not its approval, requester...). */
const handed = (c: HandedCommand): HandedCommand => ({
  id: c.id,
  orgId: c.orgId,
  hostId: c.hostId,
  issueId: c.issueId,
  status: c.status,
  action: c.action,
  target: c.target,
  params: c.params,
  createdAt: c.createdAt,
  expiresAt: c.expiresAt,
});

/**
 * Starts these hosts' objects (a hibernated one takes a while) ahead of a wake-up, so that the
 * start overlaps the writer's D1 batch instead of following it.
 */
export async function warmHosts(env: Pick<Env, "HOST">, hostIds: Iterable<string>): Promise<void> {
  await Promise.all([...new Set(hostIds)].slice(0, WARM_AT_MOST).map((id) => hostObject(env, id).waiting()));
}
/** A fleet-wide check wakes every object anyway; warming is for the few a person acts on. */
const WARM_AT_MOST = 8;

/**
 * After a revocation (one token, or a host's earlier tokens at re-enrolment): the hosts' objects
 * refuse those agent tokens from now on, whichever isolate still holds them resolved.
 */
export async function tellRevoked(
  env: Pick<Env, "HOST">,
  db: Db,
  which: { tokenId: string } | { hostId: string },
): Promise<void> {
  const rows = await db
    .select({ id: tokens.id, hostId: tokens.hostId })
    .from(tokens)
    .where(
      and(
        eq(tokens.scope, "agent"),
        isNotNull(tokens.revokedAt),
        "tokenId" in which ? eq(tokens.id, which.tokenId) : eq(tokens.hostId, which.hostId),
      ),
    )
    .orderBy(desc(tokens.revokedAt))
    .limit(64);
  const byHost = new Map<string, string[]>();
  for (const r of rows) if (r.hostId) byHost.set(r.hostId, [...(byHost.get(r.hostId) ?? []), r.id]);
  await Promise.all([...byHost].map(([hostId, ids]) => hostObject(env, hostId).tokensRevoked(ids)));
}
