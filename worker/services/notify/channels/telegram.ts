/**
 * Telegram Bot API sendMessage (POST /bot<token>/sendMessage) in its HTML parse mode: our own
 * tags only, every host character escaped, at most 4096 characters.
 */
import { clip, type OutgoingEvent } from "../format";
import { factsOf, headline, linkOf, titleOf } from "./text";

export const TELEGRAM_URL = "https://api.telegram.org";
const MAX_LISTED = 20;
const MAX_TEXT = 4096;

/** Telegram's HTML mode knows exactly these entities. */
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ENTITIES[c]);

export const telegramUrl = (base: string | null, token: string) =>
  `${(base ?? TELEGRAM_URL).replace(/\/+$/, "")}/bot${token}/sendMessage`;

export function telegramBody(chatId: string, events: OutgoingEvent[]) {
  const link = linkOf(events);
  const listed = events.slice(0, MAX_LISTED);
  const more = events.length - listed.length;
  const tail = [
    ...(more > 0 ? [`…and ${more} more`] : []),
    ...(link ? [`<a href="${esc(link)}">Open the issue in selfheal</a>`] : []),
  ].join("\n");
  // Each event gets an equal share of what the title and the tail leave, so the tags stay whole.
  const head = `<b>${esc(clip(titleOf(events), 300))}</b>`;
  const share = Math.floor((MAX_TEXT - head.length - tail.length - 10) / listed.length);
  const parts = listed.map((e) => {
    const facts = factsOf(e, 100).map(([k, v]) => `${k}: ${esc(v)}`);
    const text = [esc(headline(e, 300)), ...facts].join("\n");
    return text.length <= share ? text : esc(clip(headline(e, 80), Math.max(20, share / 6)));
  });
  const text = [head, ...parts, tail].filter(Boolean).join("\n\n");
  return { chat_id: chatId, text, parse_mode: "HTML", link_preview_options: { is_disabled: true } };
}
