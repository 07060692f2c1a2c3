/**
 * The host row's update for one report: lastSeenAt always, every other column only when its
 * value differs from the row as read (JSON columns compared by their JSON), so a report that
 * changes nothing else does not send the engine state, facts or check outputs back to D1.
 */
import type { HostRow } from "./load";

// The host key and its last proof belong to enrolment (services/enroll), never to a report.
type HostColumns = Omit<
  HostRow,
  "id" | "orgId" | "name" | "group" | "createdAt" | "publicKey" | "keyProofAt"
>;

const same = (a: unknown, b: unknown) =>
  a === b || (typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b));

export function hostUpdate(read: HostRow, next: HostColumns & { lastSeenAt: number }): Partial<HostColumns> {
  const set: Partial<HostColumns> = { lastSeenAt: next.lastSeenAt };
  for (const key of Object.keys(next) as (keyof HostColumns)[])
    if (!same(read[key], next[key])) Object.assign(set, { [key]: next[key] });
  return set;
}
