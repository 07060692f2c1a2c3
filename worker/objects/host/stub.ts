/**
 * The Worker's side of the host objects: the stub of a host's object, its answers turned back
 * into API errors, and the wake-up every writer of a host's commands or issues sends after its
 * D1 batch (so a waiting agent gets a queued command at once and the object's copy is fresh).
 */
import type { D1Meter } from "../../db/client";
import type { Env } from "../../env";
import { ApiError } from "../../lib/errors";
import type { Outcome } from ".";

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
  if (!outcome.ok) throw new ApiError(outcome.code, outcome.message);
  return outcome.value;
}

/** Tells these hosts' objects that their commands or issues changed in D1. */
export async function wakeHosts(
  env: Pick<Env, "HOST">,
  hostIds: Iterable<string | null | undefined>,
): Promise<void> {
  const ids = new Set([...hostIds].filter((id): id is string => Boolean(id)));
  await Promise.all([...ids].map((id) => hostObject(env, id).changed()));
}
