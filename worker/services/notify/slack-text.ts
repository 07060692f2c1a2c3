/**
 * Text from hosts and operators, made inert for Slack's mrkdwn: only our own labels and links
 * may format, mention or link. Slack decodes exactly three entities (&amp; &lt; &gt;), so
 * escaping `< >` is what stops `<!channel>`, `<!here>`, `<@U…>` and `<url|disguised label>`.
 * Formatting characters have no escape in mrkdwn; a zero-width space on each side of one keeps
 * it from opening or closing bold, italics, strike-through or code (Slack needs a word boundary).
 */
const ZWSP = "\u200b";
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const entities = (s: string) => s.replace(/[&<>]/g, (c) => ENTITIES[c]);

/** Plain text for a mrkdwn field: no mention, link or styling of its own survives. */
export const slackText = (s: string) => entities(s).replace(/[*_~`]/g, (c) => `${ZWSP}${c}${ZWSP}`);

/**
 * Text for inside a ``` block: styling is off there already, but a backtick must never meet
 * another (a log line holding ``` would close the block and let the rest format).
 */
export const slackCode = (s: string) => entities(s).replace(/`/g, `${ZWSP}\`${ZWSP}`);
