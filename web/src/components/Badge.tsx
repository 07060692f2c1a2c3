import { humanize } from "../format";

/** A small coloured label; `tone` picks the colour (a severity, a health or a result status). */
export function Badge({ tone, label }: { tone: string; label?: string }) {
  return <span class={`badge tone-${tone}`}>{humanize(label ?? tone)}</span>;
}
