/**
 * Email through Resend's HTTP API (POST /emails, Bearer key): one message per group, plain text
 * and HTML, with a link to the issue. The delivery id is the Idempotency-Key, so a retry after a
 * lost answer never sends the mail twice.
 */
import { clip, evidenceText, type OutgoingEvent } from "../format";
import { factsOf, headline, linkOf, titleOf } from "./text";

export const RESEND_URL = "https://api.resend.com";
const MAX_LISTED = 50;

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
export const html = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c]);

export function emailBody(from: string, to: string[], events: OutgoingEvent[]) {
  const link = linkOf(events);
  const listed = events.slice(0, MAX_LISTED);
  const more = events.length - listed.length;
  const text = [
    titleOf(events),
    "",
    ...listed.flatMap((e) => [
      headline(e),
      ...factsOf(e).map(([k, v]) => `  ${k}: ${v}`),
      ...(listed.length === 1 && Object.keys(e.issue.evidence).length
        ? ["", "Evidence:", clip(evidenceText(e.issue.evidence), 4000)]
        : []),
      "",
    ]),
    ...(more > 0 ? [`…and ${more} more`, ""] : []),
    ...(link ? [`Open the issue in selfheal: ${link}`] : []),
  ].join("\n");
  const rows = (e: OutgoingEvent) =>
    factsOf(e)
      .map(([k, v]) => `<tr><th align="left">${k}</th><td>${html(v)}</td></tr>`)
      .join("");
  const body = [
    `<h2>${html(titleOf(events))}</h2>`,
    ...listed.map((e) => `<h3>${html(headline(e))}</h3><table>${rows(e)}</table>`),
    ...(more > 0 ? [`<p>…and ${more} more</p>`] : []),
    ...(link ? [`<p><a href="${html(link)}">Open the issue in selfheal</a></p>`] : []),
  ].join("\n");
  return {
    from,
    to,
    // a subject is one line: host text may hold line breaks
    subject: clip(`[selfheal] ${titleOf(events)}`.replace(/[\r\n]+/g, " "), 200),
    text,
    html: `<!doctype html><html><body>${body}</body></html>`,
  };
}
