/**
 * Custom checks' status text: the agent sends the latest output of each check with
 * every report; the host keeps the last ones, and an issue opened on check:<name>.status carries
 * its check's text as evidence, so "CRITICAL - 3 of 4 replicas lagging" is read where it matters.
 */
import type { CheckOutput } from "../../../../agent/protocol";
import type { HostCheckOutput } from "../../../db/schema";

type Outputs = Record<string, HostCheckOutput>;

/** A report's list replaces the host's (a check removed from the agent's config disappears); none keeps it. */
export function nextCheckOutputs(previous: Outputs | null, sent: CheckOutput[] | undefined, now: number) {
  if (!sent) return previous;
  const next: Outputs = {};
  for (const c of sent) next[c.name] = { status: c.status, output: c.output, at: now };
  return next;
}

const CHECK_TARGET = /^check:(.+)\.status$/;

/** `{ check: { name, status, output } }` for an issue on a check's status, or nothing. */
export function checkEvidence(outputs: Outputs | null, target: string): Record<string, unknown> {
  const name = CHECK_TARGET.exec(target)?.[1];
  const latest = name ? outputs?.[name] : undefined;
  return latest && name ? { check: { name, status: latest.status, output: latest.output } } : {};
}
