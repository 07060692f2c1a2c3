/**
 * Discord webhook: one message per group with an embed per event (at most 10, Discord's limit),
 * mentions switched off so host text can never ping @everyone, markdown in host text escaped.
 */
import { clip, EVENT_TEXT, type OutgoingEvent } from "../format";
import { factsOf, linkOf, titleOf } from "./text";

const MAX_EMBEDS = 10;
const COLOR = { critical: 0xd32f2f, high: 0xf57c00, medium: 0xfbc02d, low: 0x9e9e9e } as const;
const RESOLVED = 0x2e7d32;

/** Discord honours a backslash before any markdown character. */
export const discordText = (s: string) => s.replace(/[\\*_~`|>[\]()#]/g, "\\$&");

export function discordBody(events: OutgoingEvent[]) {
  const link = linkOf(events);
  const listed = events.slice(0, MAX_EMBEDS);
  const more = events.length - listed.length;
  // Embeds share 6000 characters in all: each of ten stays well under 600.
  const embeds = listed.map((e) => ({
    title: clip(`${EVENT_TEXT[e.event]}: ${e.issue.host}`, 150),
    description: discordText(clip(e.issue.summary, 200)),
    ...(e.link ? { url: e.link } : {}),
    color: e.event === "resolved" ? RESOLVED : COLOR[e.issue.severity],
    timestamp: new Date(e.at).toISOString(),
    fields: factsOf(e, 60).map(([name, value]) => ({ name, value: discordText(value), inline: true })),
  }));
  const content = [
    discordText(clip(titleOf(events), 500)),
    ...(more > 0 ? [`…and ${more} more`] : []),
    ...(link ? [`<${link}>`] : []),
  ].join("\n");
  return { username: "selfheal", content: clip(content, 2000), embeds, allowed_mentions: { parse: [] } };
}
