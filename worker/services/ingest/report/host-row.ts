/**
 * The host row's update in D1 (the host summary the fleet pages read): lastSeenAt always, every
 * other column only when its value differs from the row as last written (JSON columns compared by
 * their JSON), so a summary that changes nothing else does not send facts or check outputs back.
 */
import type { HostRow } from "./load";

// The host key and its last proof belong to enrolment (services/ingest/enroll), retirement to an admin:
// never to a report.
export type HostColumns = Omit<
  HostRow,
  "id" | "orgId" | "name" | "group" | "createdAt" | "publicKey" | "keyProofAt" | "retiredAt"
>;

const same = (a: unknown, b: unknown) =>
  a === b || (typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b));

export function hostUpdate(read: HostRow, next: HostColumns & { lastSeenAt: number }): Partial<HostColumns> {
  const set: Partial<HostColumns> = { lastSeenAt: next.lastSeenAt };
  for (const key of Object.keys(next) as (keyof HostColumns)[])
    if (!same(read[key], next[key])) Object.assign(set, { [key]: next[key] });
  return set;
}
