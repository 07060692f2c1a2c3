/**
 * The Worker's side of the org events object: tell an org's open dashboards that something
 * changed. Best effort by design: the change itself is already in D1, and a dashboard that misses
 * a message still polls (slowly) as a fallback, so a failed notify is logged and never fails the
 * writer.
 */
import type { Env } from "../../env";
import type { EventTopic } from "../../schemas/events";

export const orgEvents = (env: Pick<Env, "ORG_EVENTS">, orgId: string) =>
  env.ORG_EVENTS.get(env.ORG_EVENTS.idFromName(orgId));

export async function tellOrg(
  env: Pick<Env, "ORG_EVENTS">,
  orgId: string,
  topics: EventTopic[],
  hostId: string | null = null,
): Promise<void> {
  try {
    await orgEvents(env, orgId).notify(orgId, { type: "changed", topics, hostId, at: Date.now() });
  } catch (err) {
    console.error(JSON.stringify({ error: "org event not sent", detail: String(err) }));
  }
}
