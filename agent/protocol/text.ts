/**
 * Text that crosses the wire from a host: stored and shown elsewhere (dashboard, Slack, PagerDuty,
 * webhooks), so control characters never get in. C0 and C1 controls and DEL are dropped, and so
 * are the bidirectional overrides that make text read differently from what it holds.
 */
// zod/mini, imported as a namespace: the agent's bundle keeps only the parts it uses (the Worker
// takes these schemas through worker/lib/wire.ts).
import * as z from "zod/mini";

// \p{Cc}: C0, DEL and C1; newline and tab are dealt with apart, as the text is one line or many.
const CONTROLS = /(?![\t\n])[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;
const LINE_BREAKS = /[\t\n]/g;

/** `text` without control characters; newline and tab survive only when `multiline`. */
export function stripControls(text: string, multiline = false): string {
  const kept = text.replace(CONTROLS, "");
  return multiline ? kept : kept.replace(LINE_BREAKS, " ");
}

/** A single-line string of at most `max` characters, stored without control characters. */
export const line = (max: number) =>
  z.string().check(
    z.maxLength(max),
    z.overwrite((s) => stripControls(s)),
  );

/** Multi-line text (command output, check output): newline and tab are kept. */
export const multiline = (max: number) =>
  z.string().check(
    z.maxLength(max),
    z.overwrite((s) => stripControls(s, true)),
  );
