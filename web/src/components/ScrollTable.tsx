import type { ComponentChildren } from "preact";

/** A table that scrolls sideways on narrow screens; focusable so keyboard users can scroll it too. */
export function ScrollTable({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be keyboard-scrollable
    <section class="table-wrap" aria-label={label} tabIndex={0}>
      <table>{children}</table>
    </section>
  );
}
