/**
 * Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"): a
 * message whose one attachment is an Adaptive Card. Host text is escaped, so no markdown of the
 * host's (a disguised link, say) renders.
 */
import { clip, type OutgoingEvent } from "../format";
import { factsOf, headline, linkOf, titleOf } from "./text";

const MAX_LISTED = 20;
const COLOR = { critical: "Attention", high: "Warning", medium: "Warning", low: "Default" } as const;

/**
 * Adaptive Cards render a markdown subset (bold, italics, lists, `[label](url)` links) and have
 * no escape for it; a zero-width space on each side of a markdown character keeps it literal.
 */
const ZWSP = "\u200b";
export const plain = (s: string) => s.replace(/[*_[\]()]/g, (c) => `${ZWSP}${c}${ZWSP}`);

export function teamsBody(events: OutgoingEvent[]) {
  const link = linkOf(events);
  const listed = events.slice(0, MAX_LISTED);
  const body: unknown[] = [
    {
      type: "TextBlock",
      text: plain(clip(titleOf(events), 300)),
      size: "Medium",
      weight: "Bolder",
      wrap: true,
    },
  ];
  for (const e of listed) {
    body.push(
      {
        type: "TextBlock",
        text: plain(headline(e)),
        color: COLOR[e.issue.severity],
        wrap: true,
        separator: true,
      },
      { type: "FactSet", facts: factsOf(e).map(([title, value]) => ({ title, value: plain(value) })) },
    );
  }
  if (events.length > listed.length)
    body.push({ type: "TextBlock", text: `…and ${events.length - listed.length} more`, isSubtle: true });
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          msteams: { width: "Full" },
          body,
          ...(link
            ? { actions: [{ type: "Action.OpenUrl", title: "Open the issue in selfheal", url: link }] }
            : {}),
        },
      },
    ],
  };
}
