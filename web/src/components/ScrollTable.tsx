import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";

interface Props {
  label: string;
  /** The column headings; given, the table draws its head and `children` are its rows. */
  columns?: string[];
  /** The row buttons' column, named for screen readers only (false: no such column). */
  actions?: string | false;
  children: ComponentChildren;
}

/**
 * A table that becomes a list of cards on narrow screens (styles.css, ≤ 640 px), so the key
 * column and the row's actions stay in view without scrolling sideways. Each cell is labelled
 * with its column's heading for the cards (a heading shown only to screen readers labels nothing).
 * Wider, it scrolls sideways when it must; focusable so keyboard users can scroll it too.
 */
export function ScrollTable({ label, columns, actions, children }: Props) {
  const ref = useRef<HTMLTableElement>(null);
  useLayoutEffect(() => {
    const table = ref.current;
    if (!table) return;
    const heads = [...table.querySelectorAll("thead th")].map((th) =>
      th.querySelector(".visually-hidden") ? "" : (th.textContent ?? "").trim(),
    );
    for (const row of table.querySelectorAll("tbody tr"))
      [...row.children].forEach((cell, i) => {
        if (heads[i] && cell.tagName === "TD") cell.setAttribute("data-label", heads[i]);
      });
  });
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be keyboard-scrollable
    <section class="table-wrap cards" aria-label={label} tabIndex={0}>
      <table ref={ref}>
        {columns ? (
          <>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
                {actions && (
                  <th scope="col">
                    <span class="visually-hidden">{actions}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>{children}</tbody>
          </>
        ) : (
          children
        )}
      </table>
    </section>
  );
}
