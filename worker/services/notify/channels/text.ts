/** What every chat and email message says, before each kind's own markup. */
import { actionOf, clip, EVENT_TEXT, type OutgoingEvent } from "../format";

/** A group's title: the one event, or how many and where. Plain text, host text unescaped. */
export function titleOf(events: OutgoingEvent[]): string {
  const first = events[0];
  if (events.length === 1) {
    const { severity, host, summary } = first.issue;
    return `[${severity.toUpperCase()}] ${host}: ${clip(summary, 300)} (${EVENT_TEXT[first.event]})`;
  }
  return `${events.length} selfheal events on ${first.issue.host} (${first.issue.ruleName})`;
}

/** One event's facts as label/value pairs, each value clipped to `max`. */
export function factsOf(e: OutgoingEvent, max = 200): [string, string][] {
  const status = e.detail?.status ? ` → ${String(e.detail.status)}` : "";
  return [
    ["Host", clip(e.issue.host, max)],
    ["Rule", clip(`${e.issue.ruleName} (${e.issue.rule})`, max)],
    ["Severity", e.issue.severity],
    ["Action", clip(`${actionOf(e)}${status}`, max)],
  ];
}

/** One event's headline: what happened and to what. */
export const headline = (e: OutgoingEvent, max = 500) =>
  `${EVENT_TEXT[e.event]}: ${clip(e.issue.summary, max)}`;

/** The group's link: every event of a group that has one links the same dashboard. */
export const linkOf = (events: OutgoingEvent[]) => events.find((e) => e.link)?.link ?? null;
